import Router from '@koa/router';
import type { Db } from 'mongodb';
import { trackCountersCollection } from '../../projections/trackCounters';
import { readModelResolver } from '../projector/readModelPointers';
import { getTrack } from '../queries/getTrack';

/** `GET /api/tracks/:trackId`: public counters and catalog fields (404 for an unknown track). */
export function trackRoutes(deps: { db: Db }) {
  const resolver = readModelResolver(deps.db);
  const router = new Router();
  router.get('/api/tracks/:trackId', async (ctx) => {
    const collection = await resolver.collection(trackCountersCollection);
    ctx.body = await getTrack(deps.db, ctx.params.trackId!, collection);
  });
  return router;
}
