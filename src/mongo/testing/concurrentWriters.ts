import type { AnyBulkWriteOperation, Db } from 'mongodb';
import { chunkedBulkWrite } from '../bulkWrite';
import type { WriteBudget } from '../writeBudget';

type Doc = { _id: string; n: number };

export interface WriterLoad {
  /** Prefix of the load's collection names (two loads in one database need different ones). */
  prefix: string;
  /** Concurrent bulk writers, each on a collection of its own. */
  bulkWriters: number;
  /** Updates of existing documents per bulk writer (one `chunkedBulkWrite`). */
  updatesPerWriter: number;
  /** Operations per command before the budget's cap (the service's FerretDB default is 99). */
  chunkSize: number;
  /** Concurrent loops of single-document updates (checkpoints, leases, catalog `$set`s). */
  singleWriters: number;
  singleUpdatesPerWriter: number;
}

export interface WriterLoadResult {
  ms: number;
  updates: number;
  commands: number;
}

const bulkName = (load: WriterLoad, i: number) => `${load.prefix}_bulk_${i}`;
const singleName = (load: WriterLoad, i: number) => `${load.prefix}_single_${i}`;

/** Inserts the documents the load updates (updates of existing documents are what FerretDB holds). */
export async function seedWriterLoad(db: Db, load: WriterLoad): Promise<void> {
  for (let i = 0; i < load.bulkWriters; i++) {
    const docs = Array.from({ length: load.updatesPerWriter }, (_, k) => ({ _id: `d${k}`, n: 0 }));
    await db.collection<Doc>(bulkName(load, i)).insertMany(docs);
  }
  for (let i = 0; i < load.singleWriters; i++)
    await db.collection<Doc>(singleName(load, i)).insertOne({ _id: 'cp', n: 0 });
}

/**
 * Runs every writer at once through `budget`: bulk writers send their updates in commands of up
 * to `chunkSize` (fewer under the budget), single writers one `updateOne` after the other.
 */
export async function runWriterLoad(
  db: Db,
  budget: WriteBudget,
  load: WriterLoad,
): Promise<WriterLoadResult> {
  const started = Date.now();
  let commands = 0;
  const bulk = async (i: number) => {
    const ops: AnyBulkWriteOperation<Doc>[] = Array.from(
      { length: load.updatesPerWriter },
      (_, k) => ({ updateOne: { filter: { _id: `d${k}` }, update: { $inc: { n: 1 } } } }),
    );
    const r = await chunkedBulkWrite(db.collection<Doc>(bulkName(load, i)), ops, {
      chunkSize: load.chunkSize,
      budget,
    });
    commands += r.commands;
    if (r.modifiedCount !== load.updatesPerWriter)
      throw new Error(`writer ${i}: ${r.modifiedCount} of ${load.updatesPerWriter} modified`);
  };
  const single = async (i: number) => {
    const collection = db.collection<Doc>(singleName(load, i));
    for (let k = 0; k < load.singleUpdatesPerWriter; k++) {
      await budget.command(1, () => collection.updateOne({ _id: 'cp' }, { $inc: { n: 1 } }));
      commands += 1;
    }
  };
  await Promise.all([
    ...Array.from({ length: load.bulkWriters }, (_, i) => bulk(i)),
    ...Array.from({ length: load.singleWriters }, (_, i) => single(i)),
  ]);
  const updates =
    load.bulkWriters * load.updatesPerWriter + load.singleWriters * load.singleUpdatesPerWriter;
  return { ms: Date.now() - started, updates, commands };
}

/** Documents of the load whose `n` is not `rounds`, i.e. updates lost or doubled. */
export async function countWriterLoadMisses(
  db: Db,
  load: WriterLoad,
  rounds: number,
): Promise<number> {
  let misses = 0;
  for (let i = 0; i < load.bulkWriters; i++)
    misses += await db.collection<Doc>(bulkName(load, i)).countDocuments({ n: { $ne: rounds } });
  for (let i = 0; i < load.singleWriters; i++) {
    const doc = await db.collection<Doc>(singleName(load, i)).findOne({ _id: 'cp' });
    if (doc?.n !== rounds * load.singleUpdatesPerWriter) misses += 1;
  }
  return misses;
}
