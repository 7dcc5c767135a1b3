import Router from '@koa/router';
import type { Middleware } from 'koa';
import { Histogram, type Registry } from 'prom-client';

/** `GET /metrics`: the shared prom-client registry (projector, HTTP and process metrics). */
export function metricsRoutes(deps: { registry: Registry }) {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.registry.contentType;
    ctx.body = await deps.registry.metrics();
  });
  return router;
}

/**
 * `http_request_duration_seconds{route,status}`: `route` is the matched route pattern (never
 * the raw path, which would carry track ids), `unmatched` when no route matched.
 */
export function httpMetrics(registry: Registry): Middleware {
  const histogram = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return async (ctx, next) => {
    const end = histogram.startTimer();
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      end({ method: ctx.method, route: String(route), status: String(ctx.status) });
    }
  };
}
