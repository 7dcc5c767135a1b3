import cors from '@koa/cors';
import Koa from 'koa';
import { koaBody } from 'koa-body';
import type { Db } from 'mongodb';
import type { Auth } from '../auth/auth';
import type { Config } from '../config/config';
import type { EventStore } from '../eventstore/eventStore';
import type { Logger } from '../logger';
import { errorHandler } from './errorHandler';
import { healthRoutes, type Readiness } from './healthRoutes';
import { catalogEntries } from '../queries/catalogEntries';
import { createIngestion } from '../ingestion/createIngestion';
import { ingestionMetrics, type IngestionMetrics } from '../ingestion/metrics';
import { catalogRoutes } from './catalogRoutes';
import { importRoutes } from './importRoutes';
import { ingestionRoutes } from './ingestionRoutes';
import { rateLimit } from './rateLimit';
import { trackRoutes } from './trackRoutes';
import type { StatsQueries } from '../queries/statsQueries';
import { analyticsRoutes } from './analyticsRoutes';
import { dashboardRoutes } from './dashboardRoutes';
import type { Registry } from 'prom-client';
import type { ProjectorSupervisor } from '../projector/supervisor';
import { httpMetrics, metricsRoutes } from './metricsRoutes';
import { projectionRoutes } from './projectionRoutes';

export type AppDeps = {
  config: Config;
  logger: Logger;
  store: EventStore;
  db: Db;
  readiness: Readiness;
  auth: Auth;
  clock?: () => Date;
  /** Projector status and rebuild routes (admin) when given. */
  supervisor?: ProjectorSupervisor;
  /** Shared prom-client registry: `GET /metrics` and HTTP request durations when given. */
  metricsRegistry?: Registry;
  /** The analytics and dashboard queries (started). */
  stats: Pick<StatsQueries, 'analytics' | 'dashboard'>;
  /** When given, the ingestion writer runs on its own thread with a client of its own. */
  eventStoreUrl?: string;
};

/** The HTTP edge: routers and middleware only; everything else comes in through `deps`. */
export function createApp(
  deps: AppDeps,
): Koa & { ingestionReady: Promise<void>; closeIngestion(): Promise<void> } {
  // Behind TRUST_PROXY_HOPS proxies the client is that many entries from the right of XFF.
  const app = new Koa({
    proxy: deps.config.trustProxy,
    maxIpsCount: deps.config.trustProxyHops,
  });
  const clock = deps.clock ?? (() => new Date());
  let metrics: IngestionMetrics | undefined;
  const ingestion = createIngestion({
    store: deps.store,
    ...(deps.eventStoreUrl ? { eventStoreUrl: deps.eventStoreUrl } : {}),
    config: deps.config,
    catalogLookup: (ids) => catalogEntries(deps.db, ids),
    onAppend: (count, seconds) => metrics?.append(count, seconds),
  });
  if (deps.metricsRegistry) metrics = ingestionMetrics(deps.metricsRegistry, ingestion.writer);
  const requireAdmin = deps.auth.requireRole('admin');
  const stats = deps.stats;
  app.on('error', (err, ctx) => {
    deps.logger.error({ err, route: ctx?.path }, 'request failed');
  });
  if (deps.metricsRegistry) app.use(httpMetrics(deps.metricsRegistry));
  app.use(errorHandler);
  app.use(
    cors({
      origin: (ctx) => {
        const origin = ctx.get('Origin');
        const allowed = deps.config.corsOrigins;
        return allowed === '*' || allowed.includes(origin) ? origin || '*' : '';
      },
      allowMethods: ['GET', 'POST', 'PUT', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Authorization'],
      exposeHeaders: ['Retry-After'],
    }),
  );
  app.use(deps.auth.authenticate);
  // Ingestion and import read their bodies themselves (limits, text/plain, NDJSON): before koaBody.
  for (const router of [
    ingestionRoutes({
      ingestion,
      clock,
      bodyLimitBytes: deps.config.ingestionBodyLimitBytes,
      eventMaxAgeMs: deps.config.eventMaxAgeMs,
      rateLimit: rateLimit({ perMinute: deps.config.rateLimitPerMinute }),
      ...(metrics ? { metrics } : {}),
    }),
    importRoutes({
      ingestion,
      clock,
      bodyLimitBytes: deps.config.importBodyLimitBytes,
      requireAdmin,
      ...(metrics ? { metrics } : {}),
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
    healthRoutes(deps.readiness),
    catalogRoutes({
      writer: ingestion.writer,
      catalog: ingestion.catalog,
      clock,
      requireAdmin,
    }),
    trackRoutes({ db: deps.db }),
    analyticsRoutes({ queries: stats, requireAdmin }),
    dashboardRoutes({ queries: stats, requireViewer: deps.auth.requireRole('artist', 'admin') }),
    ...(deps.supervisor ? [projectionRoutes({ supervisor: deps.supervisor, requireAdmin })] : []),
    ...(deps.metricsRegistry ? [metricsRoutes({ registry: deps.metricsRegistry })] : []),
  ]) {
    app.use(router.routes()).use(router.allowedMethods());
  }
  return Object.assign(app, {
    ingestionReady: ingestion.ready,
    closeIngestion: () => ingestion.close(),
  });
}
