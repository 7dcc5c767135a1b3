import Router from '@koa/router';

/** `GET /api/tracks/:trackId`: public counters and catalog fields (404 for an unknown track). */
export function trackRoutes(deps: { getTrack: (trackId: string) => Promise<unknown> }) {
  const router = new Router();
  router.get('/api/tracks/:trackId', async (ctx) => {
    ctx.body = await deps.getTrack(ctx.params.trackId!);
  });
  return router;
}
