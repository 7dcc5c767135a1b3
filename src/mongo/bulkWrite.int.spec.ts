import { MongoBulkWriteError, type AnyBulkWriteOperation, type Document } from 'mongodb';
import { testDatabase, testMongoKind, testWriteBudget } from '../../test/mongo';
import { chunkedBulkWrite, defaultBulkChunkSize, DUPLICATE_KEY } from './bulkWrite';
import { serverQuirks } from './serverQuirks';
import { WriteBudget } from './writeBudget';

interface Counter extends Document {
  _id: string;
  pos: number;
  n: number;
}

const mongo = testDatabase('bulk');
const chunkSize = defaultBulkChunkSize(testMongoKind());
const budget = testWriteBudget();

const guarded = (id: string, pos: number): AnyBulkWriteOperation<Counter> => ({
  updateOne: {
    filter: { _id: id, pos: { $lt: pos } },
    update: { $inc: { n: 1 }, $set: { pos } },
    upsert: true,
  },
});

describe('chunkedBulkWrite', () => {
  it('applies 250 updates of existing documents (FerretDB never answers ≥ 100 in one command)', async () => {
    const counters = mongo.db.collection<Counter>('counters250');
    const ids = Array.from({ length: 250 }, (_, i) => `c${i}`);
    await counters.insertMany(ids.map((_id) => ({ _id, pos: 0, n: 0 })));
    const ops: AnyBulkWriteOperation<Counter>[] = ids.map((_id) => ({
      updateOne: { filter: { _id }, update: { $inc: { n: 1 }, $set: { pos: 1 } } },
    }));

    const started = Date.now();
    const result = await chunkedBulkWrite(counters, ops, { budget, chunkSize });
    const ms = Date.now() - started;

    expect(result).toMatchObject({
      matchedCount: 250,
      modifiedCount: 250,
      upsertedCount: 0,
      duplicateKeys: [],
    });
    const { maxUpdatesPerCommand } = await serverQuirks(mongo.db);
    expect(result.commands).toBe(
      Math.ceil(250 / Math.min(chunkSize, maxUpdatesPerCommand, budget.maxUpdatesPerCommand)),
    );
    expect(await counters.countDocuments({ n: 1, pos: 1 })).toBe(250);
    // Keeps an eye on FerretDB's speed (~750 updates/s measured); generous for a busy machine.
    expect(ms).toBeLessThan(20_000);
  });

  it('applies 250 guarded upserts, one command each where update errors are inexact', async () => {
    const counters = mongo.db.collection<Counter>('countersGuarded250');
    const ids = Array.from({ length: 250 }, (_, i) => `g${i}`);
    await counters.insertMany(ids.slice(0, 125).map((_id) => ({ _id, pos: 0, n: 0 })));
    const { exactUpdateErrors } = await serverQuirks(mongo.db);

    const started = Date.now();
    const result = await chunkedBulkWrite(
      counters,
      ids.map((id) => guarded(id, 1)),
      { budget, chunkSize },
    );
    const ms = Date.now() - started;

    expect(result).toMatchObject({
      matchedCount: 125,
      modifiedCount: 125,
      upsertedCount: 125,
      duplicateKeys: [],
    });
    expect(Object.keys(result.upsertedIds).map(Number)).toEqual(
      Array.from({ length: 125 }, (_, i) => 125 + i),
    );
    const perCommand = Math.min(chunkSize, budget.maxUpdatesPerCommand);
    expect(result.commands).toBe(exactUpdateErrors ? Math.ceil(250 / perCommand) : 250); // exact: MongoDB, no cap
    expect(await counters.countDocuments({ n: 1, pos: 1 })).toBe(250);
    expect(ms).toBeLessThan(20_000);
  });

  it('reports duplicate keys of failed guards as data, with indexes into ops, unordered', async () => {
    const counters = mongo.db.collection<Counter>('countersDup');
    await counters.insertMany([
      { _id: 'a', pos: 5, n: 1 },
      { _id: 'b', pos: 1, n: 1 },
    ]);
    const ops = [guarded('a', 5), guarded('b', 5), guarded('new', 5), guarded('a', 4)];
    // 'a' twice: auto mode must keep this chunk ordered; split so each chunk is checked.
    const result = await chunkedBulkWrite(counters, ops, { budget, chunkSize: 2 });

    expect(result.duplicateKeys.map((d) => d.index)).toEqual([0, 3]);
    expect(result.duplicateKeys[0]!.operation).toBe(ops[0]);
    expect(result).toMatchObject({
      matchedCount: 1,
      modifiedCount: 1,
      upsertedCount: 1,
      upsertedIds: { 2: 'new' },
    });
    expect(await counters.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'a', pos: 5, n: 1 },
      { _id: 'b', pos: 5, n: 2 },
      { _id: 'new', pos: 5, n: 1 },
    ]);
  });

  it('in an ordered chunk, resumes after each duplicate so every op is attempted once', async () => {
    const counters = mongo.db.collection<Counter>('countersOrdered');
    await counters.insertOne({ _id: 'x', pos: 10, n: 1 });
    const ops = [
      guarded('x', 3),
      guarded('y', 1),
      guarded('x', 10),
      guarded('y', 2),
      guarded('x', 11),
    ];
    const result = await chunkedBulkWrite(counters, ops, {
      budget,
      chunkSize: 99,
      ordered: 'auto',
    });

    expect(result.duplicateKeys.map((d) => d.index)).toEqual([0, 2]);
    // MongoDB: three commands (resumed twice); FerretDB: each upsert alone.
    expect(result.commands).toBe((await serverQuirks(mongo.db)).exactUpdateErrors ? 3 : 5);
    expect(result).toMatchObject({
      upsertedCount: 1,
      matchedCount: 2,
      modifiedCount: 2,
      upsertedIds: { 1: 'y' },
    });
    expect(await counters.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'x', pos: 11, n: 2 },
      { _id: 'y', pos: 2, n: 2 },
    ]);
  });

  it('throws duplicate keys of plain inserts unless asked to report them', async () => {
    const counters = mongo.db.collection<Counter>('countersInsert');
    await counters.insertOne({ _id: 'p', pos: 0, n: 0 });
    const ops: AnyBulkWriteOperation<Counter>[] = [
      { insertOne: { document: { _id: 'q', pos: 0, n: 0 } } },
      { insertOne: { document: { _id: 'p', pos: 0, n: 0 } } },
    ];
    const error = await chunkedBulkWrite(counters, ops, { budget, chunkSize }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    expect((error as MongoBulkWriteError).code).toBe(DUPLICATE_KEY);

    const reported = await chunkedBulkWrite(
      counters,
      [{ insertOne: { document: { _id: 'p', pos: 1, n: 1 } } }],
      {
        budget,
        chunkSize,
        reportDuplicateKeys: 'all',
      },
    );
    expect(reported.duplicateKeys.map((d) => d.index)).toEqual([0]);
    expect(reported.insertedCount).toBe(0);
  });

  it('keeps a command under the server’s update limit whatever chunkSize says', async () => {
    const counters = mongo.db.collection<Counter>('countersClamp');
    const ids = Array.from({ length: 150 }, (_, i) => `k${i}`);
    await counters.insertMany(ids.map((_id) => ({ _id, pos: 0, n: 0 })));
    const ops: AnyBulkWriteOperation<Counter>[] = ids.map((_id) => ({
      updateOne: { filter: { _id }, update: { $inc: { n: 1 } } },
    }));
    // A budget far above the server's cap: the cap alone bounds each command.
    const wide = new WriteBudget(10_000);
    const result = await chunkedBulkWrite(counters, ops, { budget: wide, chunkSize: 1000 });
    const { maxUpdatesPerCommand } = await serverQuirks(mongo.db);
    expect(result.commands).toBe(Math.ceil(150 / Math.min(1000, maxUpdatesPerCommand)));
    expect(result.modifiedCount).toBe(150);
  });

  it('splits commands to what the update budget allows, and gives every permit back', async () => {
    const counters = mongo.db.collection<Counter>('countersBudget');
    const ids = Array.from({ length: 95 }, (_, i) => `b${i}`);
    await counters.insertMany(ids.map((_id) => ({ _id, pos: 0, n: 0 })));
    const ops: AnyBulkWriteOperation<Counter>[] = ids.map((_id) => ({
      updateOne: { filter: { _id }, update: { $inc: { n: 1 } } },
    }));
    const small = new WriteBudget(11); // 10 updates + 1 per command
    const result = await chunkedBulkWrite(counters, ops, { budget: small, chunkSize: 1000 });
    expect(result.commands).toBe(10);
    expect(result.modifiedCount).toBe(95);
    expect(small.available).toBe(11);
  });

  // Inexact update errors are forced here, so this runs the FerretDB path on any server.
  const inexact = { exactUpdateErrors: false, maxUpdatesPerCommand: 99 };

  it('resendable ops on an inexact server: bulk first, one by one after a duplicate key', async () => {
    const counters = mongo.db.collection<Counter>('countersResend');
    await counters.insertMany([
      { _id: 'a', pos: 0, n: 0 },
      { _id: 'b', pos: 7, n: 1 },
    ]);
    const clean = await chunkedBulkWrite(counters, [guarded('a', 1), guarded('c', 1)], {
      budget,
      chunkSize: 99,
      resendable: true,
      quirks: inexact,
    });
    expect(clean).toMatchObject({
      commands: 1,
      matchedCount: 1,
      upsertedCount: 1,
      duplicateKeys: [],
    });

    const ops = [guarded('a', 2), guarded('b', 7), guarded('d', 1), guarded('c', 2)];
    const result = await chunkedBulkWrite(counters, ops, {
      budget,
      chunkSize: 99,
      resendable: true,
      quirks: inexact,
    });
    // 'b' is the real duplicate; 'a' may come back as one too when the failed command applied it first.
    expect(result.duplicateKeys.map((d) => d.index)).toEqual(expect.arrayContaining([1]));
    expect(result.duplicateKeys.map((d) => d.index).every((i) => i <= 1)).toBe(true);
    expect(result.commands).toBe(1 + ops.length);
    expect(await counters.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'a', pos: 2, n: 2 },
      { _id: 'b', pos: 7, n: 1 },
      { _id: 'c', pos: 2, n: 2 },
      { _id: 'd', pos: 1, n: 1 },
    ]);
  });

  it('non-resendable upserts on an inexact server go one per command, plain updates in bulk', async () => {
    const counters = mongo.db.collection<Counter>('countersAlone');
    await counters.insertMany([
      { _id: 'a', pos: 5, n: 1 },
      { _id: 'p', pos: 0, n: 0 },
      { _id: 'q', pos: 0, n: 0 },
    ]);
    const plain = (_id: string): AnyBulkWriteOperation<Counter> => ({
      updateOne: { filter: { _id }, update: { $inc: { n: 1 } } },
    });
    const ops = [plain('p'), plain('q'), guarded('a', 5), guarded('e', 1), plain('p')];
    const result = await chunkedBulkWrite(counters, ops, {
      budget,
      chunkSize: 99,
      quirks: inexact,
    });
    expect(result.commands).toBe(4); // [p q] [a] [e] [p]
    expect(result.duplicateKeys.map((d) => d.index)).toEqual([2]);
    expect(result).toMatchObject({ matchedCount: 3, upsertedCount: 1, upsertedIds: { 3: 'e' } });
    expect(await counters.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'a', pos: 5, n: 1 },
      { _id: 'e', pos: 1, n: 1 },
      { _id: 'p', pos: 0, n: 2 },
      { _id: 'q', pos: 0, n: 1 },
    ]);
  });

  it('sends nothing for no ops', async () => {
    const result = await chunkedBulkWrite(mongo.db.collection<Counter>('countersEmpty'), [], {
      budget,
      chunkSize,
    });
    expect(result).toMatchObject({ commands: 0, matchedCount: 0, duplicateKeys: [] });
  });
});
