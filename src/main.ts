import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { allProjections } from '../projections/all';
import { loadConfig, type Config } from './config/config';
import { createAuth } from './auth/auth';
import { resolveJwtSecret } from './auth/devSecret';
import { createApp, type ApiParts } from './http/app';
import { createIngestion } from './ingestion/createIngestion';
import { ingestionMetrics, type IngestionMetrics } from './ingestion/metrics';
import { createLogger, type Logger } from './logger';
import { defaultBulkChunkSize } from './mongo/bulkWrite';
import { startJobs } from './jobs/scheduler';
import { leases, type Leases } from './projector/lease';
import { projectorMetrics } from './projector/metrics';
import { projectionRegistry } from './projector/registry';
import { projectorSupervisor, type ProjectorSupervisor } from './projector/supervisor';
import { catalogEntries } from './queries/catalogEntries';
import { getTrack } from './queries/getTrack';
import { RoundTrips } from './queries/roundTrips';
import { createStatsQueries } from './queries/statsQueries';
import { removeDiscovery, writeDiscovery } from './service/discovery';
import { listen } from './service/httpServer';
import { projectRoot } from './service/projectRoot';
import { readiness } from './service/readiness';
import { stopStack, type StopStack } from './service/stack';
import { startStores, type Stores } from './service/stores';

const SHUTDOWN_TIMEOUT_MS = 30_000;
/** Where `npm run build:dashboard` (run by `npm ci`) writes the dashboard app. */
const DASHBOARD_DIR = path.join(projectRoot(), 'dashboard', 'dist');

type Parts = { config: Config; logger: Logger; stores: Stores; stack: StopStack };

/** The projectors (`projector` role): one active per read model, by lease. */
async function startProjectors(
  { config, logger, stores, stack }: Parts,
  instanceLeases: Leases,
  metricsRegistry: Registry,
) {
  const supervisor = projectorSupervisor({
    store: stores.store,
    db: stores.db,
    registry: projectionRegistry(allProjections),
    logger,
    leases: instanceLeases,
    batchSize: config.projectorBatchSize,
    rebuildBatchSize: config.projectorRebuildBatchSize,
    batchDelayMs: config.projectorBatchDelayMs,
    batchMaxDelayMs: config.projectorBatchMaxDelayMs,
    bulkChunkSize: config.mongoBulkChunk ?? defaultBulkChunkSize(stores.mongo.kind),
    writeBudget: stores.writeBudget,
    failurePolicy: config.projectorFailurePolicy,
    leaseTtlMs: config.projectorLeaseTtlMs,
    pollMs: config.projectorPollMs,
    metrics: projectorMetrics(metricsRegistry),
  });
  await supervisor.start();
  stack.push({ name: 'projectors', stop: () => supervisor.stop() });
  return supervisor;
}

/** Ingestion and queries (`api` role): what the HTTP API serves. */
async function startApi(
  { config, logger, stores, stack }: Parts,
  metricsRegistry: Registry,
  supervisor: ProjectorSupervisor | undefined,
): Promise<ApiParts> {
  const { db, store } = stores;
  const ingestion = createIngestion({
    store,
    eventStoreUrl: stores.eventStoreUrl,
    config,
    catalogLookup: (ids) => catalogEntries(db, ids),
    // Called on appends only, after `metrics` below exists.
    onAppend: (count, seconds) => metrics.append(count, seconds),
  });
  const metrics: IngestionMetrics = ingestionMetrics(metricsRegistry, ingestion.writer);
  stack.push({ name: 'ingestion-writer', stop: () => ingestion.close() });
  await ingestion.ready;
  const queries = createStatsQueries({
    db,
    // With the projectors in this process, the tail reads their shared feed: each event is
    // read and decoded once for both.
    source: supervisor?.feed ?? store,
    clock: () => new Date(),
    logger,
    options: {
      rollupCacheBytes: config.queryRollupCacheBytes,
      freshMs: config.queryFreshMs,
      tailMaxEvents: config.queryTailMaxEvents,
      foldCacheEntries: config.queryFoldCacheEntries,
    },
  });
  stack.push({ name: 'queries', stop: () => queries.stop() });
  await queries.start(new RoundTrips());
  return {
    ingestion,
    ingestionMetrics: metrics,
    queries,
    getTrack: (trackId) => getTrack(db, trackId),
    dashboardDir: DASHBOARD_DIR,
    ...(supervisor ? { supervisor } : {}),
  };
}

/**
 * The composition root: builds the parts SERVICE_ROLES asks for and wires them together.
 * Every instance serves /health, /ready and /metrics; only `api` serves the rest.
 */
export async function startService(config: Config, logger: Logger) {
  const stack = stopStack(logger);
  try {
    fs.mkdirSync(config.dataDir, { recursive: true });
    const stores = await startStores(config, logger, stack);
    const parts: Parts = { config, logger, stores, stack };
    const metricsRegistry = new Registry();
    collectDefaultMetrics({ register: metricsRegistry });
    const instanceId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const instanceLeases = leases(stores.db, instanceId, stores.writeBudget);
    const { roles } = config;
    const supervisor = roles.has('projector')
      ? await startProjectors(parts, instanceLeases, metricsRegistry)
      : undefined;
    if (roles.has('jobs') && config.jobsEnabled) {
      const jobs = startJobs({
        db: stores.db,
        store: stores.store,
        writeBudget: stores.writeBudget,
        logger,
        leases: instanceLeases,
        config,
      });
      stack.push({ name: 'jobs', stop: () => jobs.stop() });
    }
    const api = roles.has('api') ? await startApi(parts, metricsRegistry, supervisor) : undefined;
    const app = createApp({
      config,
      logger,
      auth: createAuth(resolveJwtSecret(config)),
      metricsRegistry,
      readiness: readiness({ db: stores.db, ...(supervisor ? { supervisor } : {}) }),
      ...(api ? { api } : {}),
    });
    const http = await listen(app, config.port, config.host);
    stack.push({ name: 'http', stop: http.stop });
    writeDiscovery(config.dataDir, {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      roles: [...roles],
      url: `http://${connectHost(config.host)}:${http.port}`,
      eventStoreUrl: stores.eventStoreUrl,
      eventStoreEmbedded: !config.eventStoreUrl,
      mongoUrl: stores.mongo.url,
      mongoDb: config.mongoDb,
    });
    stack.push({ name: 'discovery', stop: async () => removeDiscovery(config.dataDir) });
    logger.info({ port: http.port, roles: [...roles], instanceId }, 'listening');
    return {
      port: http.port,
      eventStoreUrl: stores.eventStoreUrl,
      projectors: supervisor?.running() ?? [],
      supervisor,
      metricsRegistry,
      db: stores.db,
      store: stores.store,
      stop: () => stack.stopAll(),
    };
  } catch (err) {
    await stack.stopAll();
    throw err;
  }
}

/** A wildcard listen address is reached through loopback by local tools. */
function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const service = await startService(config, logger);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // A part that never finishes stopping must not keep the process alive.
    setTimeout(() => {
      logger.error('shutdown took too long: exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    service.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** Runs the service as a program: `npm start` (scripts/start.cjs runs the bundle's `run`). */
export function run(): void {
  main().catch((err) => {
    // Configuration errors name the variable; print them plainly.
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

if (require.main === module) run();
