import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Principal } from '../auth/auth';
import { dashboardQuerySchema, parseQuery } from '../queries/queryParams';
import { RoundTrips } from '../queries/roundTrips';
import type { StatsQueries } from '../queries/statsQueries';

type Queries = Pick<StatsQueries, 'analytics' | 'dashboard'>;

/**
 * `GET /api/dashboard/stats`: the signed-in artist's own tracks (403 for another artist's
 * artistId or trackId); an admin may look at any artist by naming `artistId`.
 */
export function dashboardRoutes(deps: { queries: Queries; requireViewer: Middleware }) {
  const router = new Router();
  router.get('/api/dashboard/stats', deps.requireViewer, async (ctx) => {
    const q = parseQuery(dashboardQuerySchema, ctx.query);
    const user = ctx.state.user as Principal;
    const rt = new RoundTrips();
    ctx.body = await deps.queries.dashboard(
      { role: user.role, ...(user.artistId ? { artistId: user.artistId } : {}) },
      q,
      rt,
    );
    ctx.set('X-Store-Round-Trips', `mongo=${rt.mongo}, eventstore=${rt.eventStore}`);
    ctx.set('Cache-Control', 'private, no-store');
  });
  return router;
}
