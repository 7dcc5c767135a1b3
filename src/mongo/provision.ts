import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type * as MemoryServerModuleNs from 'mongodb-memory-server';
import type { Logger } from 'pino';
import { ensureFerretdbBinary, findGo, startFerretdb, FERRETDB_VERSION } from './ferretdb';

type MemoryServerModule = typeof MemoryServerModuleNs;

export type MongoKind = 'external' | 'ferretdb' | 'memory';

/** `auto` follows the precedence: URL, then FerretDB when Go is present, then mongodb-memory-server. */
export type MongoProvider = 'auto' | 'ferretdb' | 'memory';

export interface ProvisionedMongo {
  url: string;
  kind: MongoKind;
  /** Stops a server we started; a no-op for an external URL. */
  stop(): Promise<void>;
}

export interface ProvisionMongoOptions {
  /** `MONGODB_URL`; when set, it wins and nothing is started. */
  url?: string;
  /** The app's data directory; FerretDB keeps its SQLite files in `<dataDir>/ferretdb`. */
  dataDir: string;
  logger: Logger;
  provider?: MongoProvider;
  /** Port for a locally started server; 0 or absent picks a free one. */
  port?: number;
  /** Address a locally started server listens on (default 127.0.0.1). */
  host?: string;
  /** FerretDB binary cache; defaults to `<repo>/.cache/ferretdb`. */
  ferretdbCacheDir?: string;
}

/**
 * Provides a MongoDB URL: the external one when given, otherwise a server started here.
 * The choice is configuration only (`url`, `provider`), never code.
 */
export async function provisionMongo(options: ProvisionMongoOptions): Promise<ProvisionedMongo> {
  const { logger } = options;
  const provider = options.provider ?? 'auto';
  if (options.url !== undefined && options.url !== '') {
    logger.info({ kind: 'external' }, 'using external MongoDB');
    return { url: options.url, kind: 'external', stop: async () => undefined };
  }

  if (provider === 'memory') return startMemory(options);
  if (provider === 'ferretdb') return startFerret(options);

  if (findGo() === undefined) {
    logger.info('Go not found; falling back to mongodb-memory-server');
    return startMemory(options);
  }
  try {
    return await startFerret(options);
  } catch (ferretError) {
    logger.warn(
      { err: ferretError },
      'FerretDB failed to start; falling back to mongodb-memory-server',
    );
    try {
      return await startMemory(options);
    } catch (memoryError) {
      throw new AggregateError(
        [ferretError, memoryError],
        'no MongoDB: FerretDB and mongodb-memory-server both failed',
      );
    }
  }
}

async function startFerret(options: ProvisionMongoOptions): Promise<ProvisionedMongo> {
  const { logger } = options;
  const binary = await ensureFerretdbBinary(options.ferretdbCacheDir, {
    onBuildStart: (path) =>
      logger.info({ path }, 'building FerretDB (first build downloads Go modules; minutes)'),
  });
  const dataDir = join(options.dataDir, 'ferretdb');
  const server = await startFerretdb({
    binary,
    dataDir,
    port: options.port,
    ...(options.host ? { host: options.host } : {}),
    onLog: (line) => logger.warn({ source: 'ferretdb' }, line),
  });
  logger.info(
    { kind: 'ferretdb', version: FERRETDB_VERSION, url: server.url, dataDir },
    'FerretDB started',
  );
  return {
    url: server.url,
    kind: 'ferretdb',
    stop: async () => {
      await server.stop();
      logger.info({ kind: 'ferretdb' }, 'FerretDB stopped');
    },
  };
}

async function startMemory(options: ProvisionMongoOptions): Promise<ProvisionedMongo> {
  // Required lazily: the package (and its mongod download) is only touched on this path.
  const { MongoMemoryServer } = require('mongodb-memory-server') as MemoryServerModule; // eslint-disable-line @typescript-eslint/no-require-imports
  const dbPath = join(options.dataDir, 'mongodb-memory');
  await mkdir(dbPath, { recursive: true });
  const server = await MongoMemoryServer.create({
    instance: {
      dbPath,
      storageEngine: 'wiredTiger',
      ip: options.host ?? '127.0.0.1',
      port: options.port || undefined,
    },
  });
  const url = server.getUri();
  options.logger.info({ kind: 'memory', url, dbPath }, 'mongodb-memory-server started');
  return {
    url,
    kind: 'memory',
    stop: async () => {
      // Keep the files: dbPath is the app's data directory, not a throwaway.
      await server.stop({ doCleanup: false });
    },
  };
}
