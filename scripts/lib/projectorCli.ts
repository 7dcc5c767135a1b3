import { MongoClient } from 'mongodb';
import { allProjections } from '../../projections/all';
import { loadConfig } from '../../src/config/config';
import { connectEventStore } from '../../src/eventstore/esdbEventStore';
import { createLogger } from '../../src/logger';
import { projectionRegistry } from '../../src/projector/registry';
import { resolveTarget } from './target';

/**
 * What the projection CLIs connect to: EVENTSTORE_URL and MONGODB_URL (a deployment), else the
 * stores of the `npm start` running on this DATA_DIR (its service.json).
 */
export async function connectForCli() {
  const config = loadConfig();
  const target = resolveTarget(config, ['eventStore', 'mongo']);
  const store = connectEventStore(target.eventStoreUrl);
  const client = await MongoClient.connect(target.mongoUrl);
  const db = client.db(target.mongoDb);
  return {
    config,
    target,
    store,
    db,
    // stderr: stdout carries the command's result.
    logger: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, 2),
    registry: projectionRegistry(allProjections),
    async close() {
      await client.close();
      await store.close();
    },
  };
}
