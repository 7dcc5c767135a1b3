import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { Config } from '../config/config';
import { startEmbeddedEventStoreInWorker } from '../embedded-eventstore/inWorker';
import { connectEventStore } from '../eventstore/esdbEventStore';
import type { Logger } from '../logger';
import { provisionMongo } from '../mongo/provision';
import { serverQuirks } from '../mongo/serverQuirks';
import { WriteBudget, defaultUpdateBudget } from '../mongo/writeBudget';
import type { StopStack } from './stack';

/**
 * The two stores every role needs: the event store (EVENTSTORE_URL, else the embedded server)
 * and the read-model database (MONGODB_URL, else a locally provisioned server). Each part is
 * pushed on `stack` as soon as it runs, so a later failure stops it again.
 */
export async function startStores(config: Config, logger: Logger, stack: StopStack) {
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
  return { eventStoreUrl, store, mongo, db, writeBudget };
}

export type Stores = Awaited<ReturnType<typeof startStores>>;
