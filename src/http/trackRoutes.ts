import Router from '@koa/router';
import type { Db } from 'mongodb';
import { getTrack } from '../queries/getTrack';

/** `GET /api/tracks/:trackId`: public counters and catalog fields (404 for an unknown track). */
export function trackRoutes(deps: { db: Db }) {
  const router = new Router();
  router.get('/api/tracks/:trackId', async (ctx) => {
    ctx.body = await getTrack(deps.db, ctx.params.trackId!);
  });
  return router;
}
