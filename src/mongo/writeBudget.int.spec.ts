import { testDatabase, testWriteBudget } from '../../test/mongo';
import {
  countWriterLoadMisses,
  runWriterLoad,
  seedWriterLoad,
  type WriterLoad,
} from './testing/concurrentWriters';
import { settlesWithin } from './testing/settlesWithin';

/**
 * Many writers at once against the run's server, through the update budget. Without the budget
 * (one of 10,000) this very load hangs FerretDB 1.24's database for good: 6 writers send commands
 * of 99 updates of existing documents at once, each holding a pooled connection per update
 * (ferretdbPoolLimit.int.spec.ts shows the hang on a FerretDB of its own).
 */
const mongo = testDatabase('budget');

const load = (prefix: string): WriterLoad => ({
  prefix,
  bulkWriters: 6,
  updatesPerWriter: 300,
  chunkSize: 99,
  singleWriters: 4,
  singleUpdatesPerWriter: 25,
});

describe('update budget under concurrent writers', () => {
  it('completes every command of 1,900 concurrent updates, and the server still answers', async () => {
    const budget = testWriteBudget();
    const one = load('one');
    await seedWriterLoad(mongo.db, one);

    const run = runWriterLoad(mongo.db, budget, one);
    expect(await settlesWithin(run, 90_000)).toBe(true);
    const result = await run;

    expect(result.updates).toBe(1900);
    expect(budget.available).toBe(budget.capacity);
    expect(await countWriterLoadMisses(mongo.db, one, 1)).toBe(0);
    const find = mongo.db.collection('one_bulk_0').findOne({});
    expect(await settlesWithin(find, 5_000)).toBe(true);
  }, 120_000);

  it('two processes with a default budget each fit together', async () => {
    // Two budgets on one database: what two service processes on one FerretDB amount to.
    const [a, b] = [load('procA'), load('procB')];
    await seedWriterLoad(mongo.db, a);
    await seedWriterLoad(mongo.db, b);

    const both = Promise.all([
      runWriterLoad(mongo.db, testWriteBudget(), a),
      runWriterLoad(mongo.db, testWriteBudget(), b),
    ]);
    expect(await settlesWithin(both, 90_000)).toBe(true);

    expect(await countWriterLoadMisses(mongo.db, a, 1)).toBe(0);
    expect(await countWriterLoadMisses(mongo.db, b, 1)).toBe(0);
    const find = mongo.db.collection('procB_single_0').findOne({});
    expect(await settlesWithin(find, 5_000)).toBe(true);
  }, 120_000);
});
