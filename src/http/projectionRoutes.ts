import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { ConcurrencyError, NotFoundError, UnavailableError, ValidationError } from '../errors';
import type { ProjectorSupervisor } from '../projector/supervisor';

const nameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,60}$/, 'letters, digits, _ and - only');

/** Plain JSON view of a projector's status (bigints as strings). */
export function statusDto(s: ReturnType<ProjectorSupervisor['status']>[number]) {
  return {
    ...s,
    checkpoint: s.checkpoint.toString(),
    lastBatchAt: s.lastBatchAt?.toISOString() ?? null,
  };
}

/**
 * Admin routes: projector status, and rebuilds into a fresh generation swapped in when caught
 * up. A rebuild takes minutes, so the route answers 202 at once; progress shows in the status
 * (`rebuilding: true`, then the new `generation`).
 */
export function projectionRoutes(deps: {
  supervisor: ProjectorSupervisor;
  requireAdmin: Middleware;
}) {
  const router = new Router();
  const { supervisor } = deps;
  router.get('/api/admin/projections', deps.requireAdmin, (ctx) => {
    ctx.body = { projections: supervisor.status().map(statusDto) };
  });
  router.post('/api/admin/projections/:name/rebuild', deps.requireAdmin, (ctx) => {
    const parsed = nameSchema.safeParse(ctx.params.name);
    if (!parsed.success) {
      throw new ValidationError('invalid projection name', [
        { path: 'name', message: parsed.error.issues[0]!.message },
      ]);
    }
    const names = parsed.data === 'all' ? supervisor.registry.names() : [parsed.data];
    for (const name of names) {
      if (!supervisor.registry.get(name)) {
        throw new NotFoundError(
          `unknown projection ${name} (known: ${supervisor.registry.names().join(', ')}, all)`,
        );
      }
    }
    const busy = supervisor.status().filter((s) => names.includes(s.name) && s.rebuilding);
    if (busy.length > 0)
      throw new ConcurrencyError(`a rebuild of ${busy.map((s) => s.name).join(', ')} is running`);
    // Sequential in the background; each result is logged by the supervisor.
    void names.reduce<Promise<unknown>>(
      (p, name) => p.then(() => supervisor.rebuild(name)),
      Promise.resolve(),
    );
    ctx.status = 202;
    ctx.body = { accepted: names, status: '/api/admin/projections' };
  });
  return router;
}

/**
 * On an instance without the projector role: the admin routes say where projectors are managed
 * instead of a bare 404 (status is in MongoDB, rebuilds run on a projector instance or the CLI).
 */
export function noProjectorRoutes(deps: { requireAdmin: Middleware }) {
  const router = new Router();
  const answer = () => {
    throw new UnavailableError(
      'this instance runs no projectors (SERVICE_ROLES has no "projector"): use ' +
        '`npm run projections:status` / `npm run projections:rebuild -- <name|all>` with ' +
        'MONGODB_URL and EVENTSTORE_URL of the deployment',
    );
  };
  router.get('/api/admin/projections', deps.requireAdmin, answer);
  router.post('/api/admin/projections/:name/rebuild', deps.requireAdmin, answer);
  return router;
}
