import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startEmbeddedEventStore } from '../src/embedded-eventstore/server';
import { ensureFerretdbBinary, findGo } from '../src/mongo/ferretdb';
import { provisionMongo } from '../src/mongo/provision';
import { setTestServers } from './testServers';

/**
 * Once per jest run: a MongoDB-compatible server (MONGODB_URL if set, else FerretDB, else
 * mongodb-memory-server) and the embedded event store, each in a fresh temp dir. Their URLs reach
 * the test workers through the environment (TEST_MONGODB_URL, TEST_MONGODB_KIND,
 * TEST_EVENTSTORE_URL); the handles stay here for test/globalTeardown.ts.
 */
export default async function globalSetup(): Promise<void> {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const root = await mkdtemp(join(tmpdir(), 'stats-test-'));

  if (!process.env.MONGODB_URL && findGo() !== undefined) {
    // Built here, outside any test timeout; minutes on a fresh machine (`npm` CI: scripts/ferretdb-build.ts).
    await ensureFerretdbBinary(undefined, {
      onBuildStart: (path) =>
        process.stderr.write(`\nbuilding FerretDB into ${path} (first time: minutes)\n`),
    });
  }
  const mongo = await provisionMongo({
    url: process.env.MONGODB_URL,
    dataDir: join(root, 'mongo'),
    logger,
  });
  setTestServers({ root, mongo });
  process.env.TEST_MONGODB_URL = mongo.url;
  process.env.TEST_MONGODB_KIND = mongo.kind;

  // The embedded event store: one per run, on a random port, over its own temp data dir.
  try {
    const eventStore = await startEmbeddedEventStore({
      dataDir: join(root, 'eventstore'),
      port: 0,
    });
    setTestServers({ root, mongo, eventStore });
    process.env.TEST_EVENTSTORE_URL = eventStore.connectionString;
  } catch (error) {
    await mongo.stop();
    throw error;
  }
}
