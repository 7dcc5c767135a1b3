import cors from '@koa/cors';
import Koa from 'koa';
import { koaBody } from 'koa-body';
import type { Registry } from 'prom-client';
import type { Auth } from '../auth/auth';
import type { Config } from '../config/config';
import type { Ingestion } from '../ingestion/createIngestion';
import type { IngestionMetrics } from '../ingestion/metrics';
import type { Logger } from '../logger';
import type { ProjectorSupervisor } from '../projector/supervisor';
import type { TrackDto } from '../queries/getTrack';
import type { StatsQueries } from '../queries/statsQueries';
import { analyticsRoutes } from './analyticsRoutes';
import { dashboardApp } from './dashboardApp';
import { catalogRoutes } from './catalogRoutes';
import { dashboardRoutes } from './dashboardRoutes';
import { errorHandler } from './errorHandler';
import { healthRoutes, type Readiness } from './healthRoutes';
import { importRoutes } from './importRoutes';
import { ingestionRoutes } from './ingestionRoutes';
import { httpMetrics, metricsRoutes } from './metricsRoutes';
import { noProjectorRoutes, projectionRoutes } from './projectionRoutes';
import { rateLimit } from './rateLimit';
import { trackRoutes } from './trackRoutes';

/** What an `api` instance serves, built by the composition root (src/main.ts). */
export type ApiParts = {
  ingestion: Ingestion;
  ingestionMetrics?: IngestionMetrics;
  queries: StatsQueries;
  getTrack: (trackId: string) => Promise<TrackDto>;
  /** Built dashboard app (dashboard/build.ts) served at `GET /dashboard/*` when given. */
  dashboardDir?: string;
  /** Projector status and rebuild routes (admin) when this instance runs the projectors. */
  supervisor?: ProjectorSupervisor;
};

export type AppDeps = {
  config: Config;
  logger: Logger;
  readiness: Readiness;
  auth: Auth;
  clock?: () => Date;
  /** Shared prom-client registry: `GET /metrics` and HTTP request durations when given. */
  metricsRegistry?: Registry;
  /** The HTTP API and dashboard routes; without them only /health, /ready and /metrics. */
  api?: ApiParts;
};

/** The HTTP edge: routers and middleware only; what it serves comes in through `deps`. */
export function createApp(deps: AppDeps): Koa {
  // Behind TRUST_PROXY_HOPS proxies the client is that many entries from the right of XFF.
  const app = new Koa({
    proxy: deps.config.trustProxy,
    maxIpsCount: deps.config.trustProxyHops,
  });
  app.on('error', (err, ctx) => {
    deps.logger.error({ err, route: ctx?.path }, 'request failed');
  });
  if (deps.metricsRegistry) app.use(httpMetrics(deps.metricsRegistry));
  app.use(errorHandler);
  if (deps.api) mountApi(app, deps, deps.api);
  for (const router of [
    healthRoutes(deps.readiness),
    ...(deps.metricsRegistry ? [metricsRoutes({ registry: deps.metricsRegistry })] : []),
  ]) {
    app.use(router.routes()).use(router.allowedMethods());
  }
  return app;
}

function mountApi(app: Koa, deps: AppDeps, api: ApiParts): void {
  const { config } = deps;
  const clock = deps.clock ?? (() => new Date());
  const metrics = api.ingestionMetrics ? { metrics: api.ingestionMetrics } : {};
  app.use(
    cors({
      origin: (ctx) => {
        const origin = ctx.get('Origin');
        const allowed = config.corsOrigins;
        return allowed === '*' || allowed.includes(origin) ? origin || '*' : '';
      },
      allowMethods: ['GET', 'POST', 'PUT', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Authorization'],
      exposeHeaders: ['Retry-After'],
    }),
  );
  if (api.dashboardDir) app.use(dashboardApp({ assetsDir: api.dashboardDir }));
  app.use(deps.auth.authenticate);
  const requireAdmin = deps.auth.requireRole('admin');
  // Ingestion and import read their bodies themselves (limits, text/plain, NDJSON): before koaBody.
  for (const router of [
    ingestionRoutes({
      ingestion: api.ingestion,
      clock,
      bodyLimitBytes: config.ingestionBodyLimitBytes,
      eventMaxAgeMs: config.eventMaxAgeMs,
      rateLimit: rateLimit({ perMinute: config.rateLimitPerMinute }),
      ...metrics,
    }),
    importRoutes({
      ingestion: api.ingestion,
      clock,
      bodyLimitBytes: config.importBodyLimitBytes,
      requireAdmin,
      ...metrics,
    }),
  ]) {
    app.use(router.routes()).use(router.allowedMethods());
  }
  app.use(
    koaBody({
      json: true,
      text: true,
      urlencoded: false,
      jsonLimit: '2mb',
      textLimit: '2mb',
      jsonStrict: false,
    }),
  );
  for (const router of [
    catalogRoutes({
      writer: api.ingestion.writer,
      catalog: api.ingestion.catalog,
      clock,
      requireAdmin,
    }),
    trackRoutes({ getTrack: api.getTrack }),
    analyticsRoutes({ queries: api.queries, requireAdmin }),
    dashboardRoutes({
      queries: api.queries,
      getTrack: api.getTrack,
      requireViewer: deps.auth.requireRole('artist', 'admin'),
    }),
    api.supervisor
      ? projectionRoutes({ supervisor: api.supervisor, requireAdmin })
      : noProjectorRoutes({ requireAdmin }),
  ]) {
    app.use(router.routes()).use(router.allowedMethods());
  }
}
