import { MongoClient } from 'mongodb';
import { recentActivity } from '../../projections/recentActivity';
import { trackCounters } from '../../projections/trackCounters';
import { trackRollups } from '../../projections/trackRollups';
import { loadConfig } from '../../src/config/config';
import { connectEventStore } from '../../src/eventstore/esdbEventStore';
import { createLogger } from '../../src/logger';
import { projectionRegistry } from '../../src/projector/registry';

/**
 * What the projection CLIs connect to: the running service's stores. EVENTSTORE_URL, else the
 * service's embedded server on EVENTSTORE_PORT; MONGODB_URL is required (a locally provisioned
 * FerretDB listens on a port only the service knows; it logs the URL at start).
 */
export async function connectForCli() {
  const config = loadConfig();
  const mongoUrl = config.mongoUrl;
  if (!mongoUrl) {
    throw new Error(
      'MONGODB_URL is not set: point it at the service\'s MongoDB (logged at start as "FerretDB started"), ' +
        'or use the admin route POST /api/admin/projections/<name|all>/rebuild',
    );
  }
  const esUrl = config.eventStoreUrl ?? `esdb://127.0.0.1:${config.eventStorePort}?tls=false`;
  const store = connectEventStore(esUrl);
  const client = await MongoClient.connect(mongoUrl);
  const db = client.db(config.mongoDb);
  return {
    config,
    store,
    db,
    logger: createLogger(config.logLevel),
    registry: projectionRegistry([trackCounters, trackRollups, recentActivity]),
    async close() {
      await client.close();
      await store.close();
    },
  };
}
