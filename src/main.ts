import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { recentActivity } from '../projections/recentActivity';
import { trackCounters } from '../projections/trackCounters';
import { trackRollups } from '../projections/trackRollups';
import { loadConfig, type Config } from './config/config';
import { createAuth } from './auth/auth';
import { resolveJwtSecret } from './auth/devSecret';
import { startEmbeddedEventStoreInWorker } from './embedded-eventstore/inWorker';
import { connectEventStore } from './eventstore/esdbEventStore';
import { createApp } from './http/app';
import { createStatsQueries } from './queries/statsQueries';
import { RoundTrips } from './queries/roundTrips';
import { createLogger, type Logger } from './logger';
import { defaultBulkChunkSize } from './mongo/bulkWrite';
import { provisionMongo } from './mongo/provision';
import { serverQuirks } from './mongo/serverQuirks';
import { WriteBudget, defaultUpdateBudget } from './mongo/writeBudget';
import { startJobs } from './jobs/scheduler';
import { leases } from './projector/lease';
import { projectorMetrics } from './projector/metrics';
import { projectionRegistry } from './projector/registry';
import { projectorSupervisor } from './projector/supervisor';

type Stoppable = { name: string; stop: () => Promise<void> };

const HTTP_CLOSE_GRACE_MS = 5_000;
const SHUTDOWN_TIMEOUT_MS = 30_000;

/** The composition root: builds every part from the configuration and wires them together. */
export async function startService(config: Config, logger: Logger) {
  const stack: Stoppable[] = [];
  const stopAll = async () => {
    for (const s of stack.reverse()) {
      try {
        await s.stop();
      } catch (err) {
        logger.warn({ err, part: s.name }, 'stop failed');
      }
    }
  };
  try {
    fs.mkdirSync(config.dataDir, { recursive: true });
    let eventStoreUrl = config.eventStoreUrl;
    if (!eventStoreUrl) {
      // On a worker thread by default (EVENTSTORE_EMBEDDED_WORKER): gRPC server and disk I/O off the HTTP loop.
      const embedded = await startEmbeddedEventStoreInWorker({
        dataDir: path.join(config.dataDir, 'eventstore'),
        port: config.eventStorePort,
        logger: logger.child({ component: 'embedded-eventstore' }),
        worker: config.eventStoreEmbeddedWorker,
      });
      stack.push({ name: 'embedded-eventstore', stop: () => embedded.close() });
      eventStoreUrl = embedded.connectionString;
      logger.info(
        { url: eventStoreUrl, threaded: embedded.threaded },
        'embedded event store started',
      );
    }
    const store = connectEventStore(eventStoreUrl);
    stack.push({ name: 'eventstore-client', stop: () => store.close() });

    const mongo = await provisionMongo({
      ...(config.mongoUrl ? { url: config.mongoUrl } : {}),
      dataDir: path.join(config.dataDir, 'mongo'),
      logger: logger.child({ component: 'mongo' }),
    });
    stack.push({ name: 'mongo-server', stop: () => mongo.stop() });
    const mongoClient = await MongoClient.connect(mongo.url);
    stack.push({ name: 'mongo-client', stop: () => mongoClient.close() });
    const db = mongoClient.db(config.mongoDb);
    // Every writer of this client shares one budget of update operations in flight.
    const writeBudget = new WriteBudget(
      config.mongoUpdateBudget ?? defaultUpdateBudget(await serverQuirks(db)),
    );
    logger.info(
      { kind: mongo.kind, db: config.mongoDb, updateBudget: writeBudget.capacity },
      'read-model database ready',
    );

    const metricsRegistry = new Registry();
    collectDefaultMetrics({ register: metricsRegistry });
    const instanceId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const instanceLeases = leases(db, instanceId, writeBudget);
    const projections = projectionRegistry([trackCounters, trackRollups, recentActivity]);
    const supervisor = projectorSupervisor({
      store,
      db,
      registry: projections,
      logger,
      leases: instanceLeases,
      batchSize: config.projectorBatchSize,
      rebuildBatchSize: config.projectorRebuildBatchSize,
      batchDelayMs: config.projectorBatchDelayMs,
      batchMaxDelayMs: config.projectorBatchMaxDelayMs,
      bulkChunkSize: config.mongoBulkChunk ?? defaultBulkChunkSize(mongo.kind),
      writeBudget,
      failurePolicy: config.projectorFailurePolicy,
      metrics: projectorMetrics(metricsRegistry),
    });
    await supervisor.start();
    stack.push({ name: 'projectors', stop: () => supervisor.stop() });
    if (config.jobsEnabled) {
      const jobs = startJobs({ db, store, logger, leases: instanceLeases, config, writeBudget });
      stack.push({ name: 'jobs', stop: () => jobs.stop() });
    }
    const projectors = supervisor.running();
    const stats = createStatsQueries({
      db,
      source: store,
      clock: () => new Date(),
      logger,
      options: {
        rollupCacheBytes: config.queryRollupCacheBytes,
        freshMs: config.queryFreshMs,
        tailMaxEvents: config.queryTailMaxEvents,
      },
    });
    stack.push({ name: 'queries', stop: () => stats.stop() });
    await stats.start(new RoundTrips());

    const app = createApp({
      config,
      logger,
      store,
      db,
      auth: createAuth(resolveJwtSecret(config)),
      supervisor,
      stats,
      metricsRegistry,
      eventStoreUrl,
      readiness: async () => {
        const failed = supervisor
          .status()
          .filter((p) => p.failed)
          .map((p) => p.name);
        const checks: Record<string, string> = {
          projectors: failed.length ? `failed: ${failed.join(', ')}` : 'ok',
        };
        try {
          await db.command({ ping: 1 });
          checks.mongodb = 'ok';
        } catch {
          checks.mongodb = 'unreachable';
        }
        return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
      },
    });
    stack.push({ name: 'ingestion-writer', stop: () => app.closeIngestion() });
    await app.ingestionReady;
    const server = app.listen(config.port, config.host);
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    stack.push({
      name: 'http',
      // In-flight requests get a grace period; keep-alive clients that keep sending would
      // otherwise hold close() open for ever.
      stop: () =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => server.closeAllConnections(), HTTP_CLOSE_GRACE_MS);
          server.close(() => {
            clearTimeout(timer);
            resolve();
          });
          server.closeIdleConnections();
        }),
    });
    const port = (server.address() as AddressInfo).port;
    logger.info({ port }, 'listening');
    return {
      port,
      eventStoreUrl,
      projectors,
      supervisor,
      metricsRegistry,
      db,
      store,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
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

if (require.main === module) {
  main().catch((err) => {
    // Configuration errors name the variable; print them plainly.
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
