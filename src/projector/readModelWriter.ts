import type { AnyBulkWriteOperation, Db, Document } from 'mongodb';
import { isInsert, isPut, type ReadModelOp, type UpsertOp } from '../../projections/types';
import { chunkedBulkWrite } from '../mongo/bulkWrite';
import type { WriteBudget } from '../mongo/writeBudget';
import { documentCodec, type DocumentCodec } from '../readModels/documentCodecs';

/** Inserts are cheap on FerretDB and not subject to its 100-updates hang: larger chunks. */
const INSERT_CHUNK = 1000;

function update(op: UpsertOp, position: number): Document {
  const u: Document = { $set: { ...op.set, _pos: position } };
  const add = (key: string, value: Record<string, unknown> | undefined) => {
    if (value && Object.keys(value).length > 0) u[key] = value;
  };
  add('$inc', op.inc);
  add('$setOnInsert', op.setOnInsert);
  add('$max', op.max);
  add('$min', op.min);
  return u;
}

export type WriteResult = {
  /** Documents inserted, created or updated. */
  applied: number;
  /** Operations skipped because this very batch already applied them (replay after a crash). */
  skipped: number;
  /** Commands sent to the database. */
  commands: number;
};

/**
 * Applies one batch's operations, one bulk write per collection (chunked):
 * - upserts are guarded by `_pos`: a document whose `_pos` already reached this batch's end was
 *   written by this very batch before a crash; its guard fails, the upsert hits a duplicate key
 *   and is skipped;
 * - inserts carry position-derived ids, so a replayed insert is a duplicate key, skipped;
 * - puts set idempotent values: inserted, or `$set` where the id exists (a replay sets the same).
 * An insert into a collection with a stored encoding (`documentCodec`) is encoded here, once;
 * such collections take inserts only.
 * Every command is sent within `writeBudget`; upserts go `bulkChunkSize` per command at most.
 */
export async function writeBatch(
  db: Db,
  physicalName: (logical: string) => string,
  ops: readonly ReadModelOp[],
  position: bigint,
  limits: { bulkChunkSize: number; writeBudget: WriteBudget },
): Promise<WriteResult> {
  const { bulkChunkSize: chunkSize, writeBudget: budget } = limits;
  const pos = Number(position);
  const byCollection = new Map<
    string,
    {
      upserts: AnyBulkWriteOperation[];
      inserts: Document[];
      puts: Document[];
      codec: DocumentCodec | undefined;
    }
  >();
  for (const op of ops) {
    const name = physicalName(op.collection);
    let entry = byCollection.get(name);
    if (!entry) {
      const codec = documentCodec(op.collection);
      byCollection.set(name, (entry = { upserts: [], inserts: [], puts: [], codec }));
    }
    if (isInsert(op)) {
      const { codec } = entry;
      entry.inserts.push(codec ? codec.encode(op.insert, op.id) : { ...op.insert, _id: op.id });
    } else if (entry.codec) {
      throw new Error(`${op.collection} has a stored encoding: inserts only`);
    } else if (isPut(op)) {
      entry.puts.push({ ...op.put, _id: op.id });
    } else {
      entry.upserts.push({
        updateOne: {
          filter: { _id: op.id as never, _pos: { $not: { $gte: pos } } },
          update: update(op, pos),
          upsert: true,
        },
      });
    }
  }
  const result: WriteResult = { applied: 0, skipped: 0, commands: 0 };
  for (const [name, { upserts, inserts, puts }] of byCollection) {
    const collection = db.collection(name);
    if (puts.length > 0) {
      // Which ids exist is read first: new ones are inserted (fast, and no duplicate-key
      // errors: FerretDB was seen to lock a collection for good after an insert command full
      // of them), existing ones get a `$set` only where a value differs.
      const found = new Map(
        (await collection.find({ _id: { $in: puts.map((p) => p._id as never) } }).toArray()).map(
          (d) => [String(d._id), d],
        ),
      );
      const fresh = puts.filter((p) => !found.has(String(p._id)));
      const changed = puts.filter((p) => {
        const d = found.get(String(p._id));
        return d !== undefined && Object.entries(p).some(([k, v]) => d[k] !== v);
      });
      result.commands += 1;
      if (fresh.length > 0) {
        const r = await chunkedBulkWrite(
          collection,
          fresh.map((document) => ({ insertOne: { document } })),
          { chunkSize: INSERT_CHUNK, ordered: false, reportDuplicateKeys: 'all', budget },
        );
        result.applied += r.insertedCount;
        result.skipped += r.duplicateKeys.length;
        result.commands += r.commands;
      }
      // One command per changed document: FerretDB 1.24 locked the whole database for good on
      // unordered bulk `$set`s of existing catalog documents (seen under live load). Catalog
      // changes are rare; correctness first.
      for (const { _id, ...fields } of changed) {
        const u = await budget.command(1, () => collection.updateOne({ _id }, { $set: fields }));
        result.applied += u.matchedCount;
        result.commands += 1;
      }
    }
    if (inserts.length > 0) {
      const r = await chunkedBulkWrite(
        collection,
        inserts.map((document) => ({ insertOne: { document } })),
        { chunkSize: INSERT_CHUNK, ordered: false, reportDuplicateKeys: 'all', budget },
      );
      result.applied += r.insertedCount;
      result.skipped += r.duplicateKeys.length;
      result.commands += r.commands;
    }
    if (upserts.length > 0) {
      const r = await chunkedBulkWrite(collection, upserts, { chunkSize, ordered: false, budget });
      result.applied += r.matchedCount + r.upsertedCount;
      result.skipped += r.duplicateKeys.length;
      result.commands += r.commands;
    }
  }
  return result;
}
