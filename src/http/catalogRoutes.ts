import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { z } from 'zod';
import { ValidationError } from '../errors';
import {
  catalogInputSchema,
  registerTrack,
  trackIdSchema,
  type RegisterTrackDeps,
} from '../ingestion/registerTrack';

export type CatalogRoutesDeps = RegisterTrackDeps & { requireAdmin: Middleware };

const fieldErrors = (error: z.ZodError, prefix = '') =>
  error.issues.map((i) => ({ path: prefix + i.path.join('.'), message: i.message }));

/** `PUT /api/tracks/:trackId` (admin): registers or updates the track's catalog entry. */
export function catalogRoutes(deps: CatalogRoutesDeps) {
  const router = new Router();
  router.put('/api/tracks/:trackId', deps.requireAdmin, async (ctx) => {
    const trackId = trackIdSchema.safeParse(ctx.params.trackId);
    if (!trackId.success) {
      throw new ValidationError('invalid track id', fieldErrors(trackId.error, 'trackId'));
    }
    const body = catalogInputSchema.safeParse((ctx.request as { body?: unknown }).body);
    if (!body.success) {
      throw new ValidationError(
        'body must be { artistId, title, durationSeconds }',
        fieldErrors(body.error),
      );
    }
    const outcome = await registerTrack(deps, trackId.data, body.data);
    ctx.status = outcome.result === 'registered' ? 201 : 200;
    ctx.body = outcome;
  });
  return router;
}
