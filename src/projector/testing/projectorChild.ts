import { MongoClient } from 'mongodb';
import { allProjections } from '../../../projections/all';
import { connectEventStore } from '../../eventstore/esdbEventStore';
import { createLogger } from '../../logger';
import { serverQuirks } from '../../mongo/serverQuirks';
import { WriteBudget, defaultUpdateBudget } from '../../mongo/writeBudget';
import { leases } from '../lease';
import { projectionRegistry } from '../registry';
import { projectorSupervisor } from '../supervisor';

/**
 * A projector process for the crash test: runs the live projectors until it is killed.
 * argv: <eventStoreUrl> <mongoUrl> <db> <batchSize> <owner>
 */
async function main() {
  const [esUrl, mongoUrl, dbName, batchSize, owner] = process.argv.slice(2);
  const logger = createLogger('warn');
  const store = connectEventStore(esUrl!);
  const client = await MongoClient.connect(mongoUrl!);
  // Its own process, so its own budget (as a second service process would have).
  const budget = new WriteBudget(defaultUpdateBudget(await serverQuirks(client.db(dbName!))));
  const supervisor = projectorSupervisor({
    store,
    db: client.db(dbName),
    registry: projectionRegistry(allProjections),
    logger,
    leases: leases(client.db(dbName), owner!, budget),
    writeBudget: budget,
    batchSize: Number(batchSize),
    rebuildBatchSize: Number(batchSize),
    batchDelayMs: 5,
    bulkChunkSize: 99,
    pollMs: 200,
  });
  await supervisor.start();
  process.stdout.write('started\n');
}

main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
