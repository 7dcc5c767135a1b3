import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Principal } from '../auth/auth';
import { ForbiddenError, NotFoundError } from '../errors';
import { dashboardArtist } from '../queries/getDashboard';
import type { TrackDto } from '../queries/getTrack';
import {
  analyticsQuerySchema,
  dashboardQuerySchema,
  parseQuery,
  type AnalyticsQuery,
} from '../queries/queryParams';
import { RoundTrips } from '../queries/roundTrips';
import type { StatsQueries } from '../queries/statsQueries';

type Deps = {
  queries: Pick<StatsQueries, 'analytics' | 'dashboard'>;
  requireViewer: Middleware;
  getTrack: (trackId: string) => Promise<TrackDto>;
};

const viewerOf = (ctx: Context) => {
  const user = ctx.state.user as Principal;
  return { role: user.role, ...(user.artistId ? { artistId: user.artistId } : {}) };
};

/** An artist may read analytics of their own tracks only; an unknown track is not theirs either. */
async function assertOwnTrack(deps: Deps, viewer: ReturnType<typeof viewerOf>, trackId: string) {
  if (viewer.role === 'admin') return;
  const track = await deps.getTrack(trackId).catch((err: unknown) => {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  });
  if (!track || track.artistId !== viewer.artistId) {
    throw new ForbiddenError(`track ${trackId} is not one of this artist's tracks`);
  }
}

async function answerAnalytics(deps: Deps, ctx: Context, q: AnalyticsQuery) {
  const rt = new RoundTrips();
  ctx.body = await deps.queries.analytics(q, rt);
  ctx.set('X-Store-Round-Trips', `mongo=${rt.mongo}, eventstore=${rt.eventStore}`);
  ctx.set('Cache-Control', 'private, no-store');
}

/**
 * The artist dashboard's API. Artists see their own tracks only (403 for another artist's
 * artistId or trackId); an admin looks at any artist by naming `artistId`, or at any track.
 * - `GET /api/dashboard/stats`: overview, growth, top tracks, engagement, playlists, recent.
 * - `GET /api/dashboard/analytics`: the `/api/stats/analytics` answer for the artist's catalog
 *   (source and share-platform breakdowns, skip and replay rates, the full series).
 * - `GET /api/dashboard/tracks/:trackId`: the same for one track.
 */
export function dashboardRoutes(deps: Deps) {
  const router = new Router();
  router.get('/api/dashboard/stats', deps.requireViewer, async (ctx) => {
    const q = parseQuery(dashboardQuerySchema, ctx.query);
    const rt = new RoundTrips();
    ctx.body = await deps.queries.dashboard(viewerOf(ctx), q, rt);
    ctx.set('X-Store-Round-Trips', `mongo=${rt.mongo}, eventstore=${rt.eventStore}`);
    ctx.set('Cache-Control', 'private, no-store');
  });
  router.get('/api/dashboard/analytics', deps.requireViewer, async (ctx) => {
    const asked = parseQuery(dashboardQuerySchema, ctx.query);
    const artistId = dashboardArtist(viewerOf(ctx), asked);
    const q = parseQuery(analyticsQuerySchema, { ...ctx.query, artistId });
    await answerAnalytics(deps, ctx, q);
  });
  router.get('/api/dashboard/tracks/:trackId', deps.requireViewer, async (ctx) => {
    const q = parseQuery(analyticsQuerySchema, { ...ctx.query, trackId: ctx.params.trackId });
    await assertOwnTrack(deps, viewerOf(ctx), q.trackId!);
    await answerAnalytics(deps, ctx, q);
  });
  return router;
}
