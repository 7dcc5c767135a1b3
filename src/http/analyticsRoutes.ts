import Router from '@koa/router';
import type { Middleware } from 'koa';
import { analyticsQuerySchema, parseQuery } from '../queries/queryParams';
import { RoundTrips } from '../queries/roundTrips';
import type { StatsQueries } from '../queries/statsQueries';

type Queries = Pick<StatsQueries, 'analytics' | 'dashboard'>;

/** `GET /api/stats/analytics`: admin only (401 without a token, 403 for other roles). */
export function analyticsRoutes(deps: { queries: Queries; requireAdmin: Middleware }) {
  const router = new Router();
  router.get('/api/stats/analytics', deps.requireAdmin, async (ctx) => {
    const q = parseQuery(analyticsQuerySchema, ctx.query);
    const rt = new RoundTrips();
    ctx.body = await deps.queries.analytics(q, rt);
    ctx.set('X-Store-Round-Trips', `mongo=${rt.mongo}, eventstore=${rt.eventStore}`);
    ctx.set('Cache-Control', 'no-store');
  });
  return router;
}
