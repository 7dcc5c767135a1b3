import type { AnyBulkWriteOperation, Db, Document } from 'mongodb';
import type { ReadModelOp } from '../../projections/types';

const DUPLICATE_KEY = 11000;

function update(op: ReadModelOp, position: number): Document {
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

/**
 * Applies one batch's operations as guarded upserts: a document whose `_pos` already reached
 * this batch's end position was written by this very batch before a crash and is skipped
 * (the failed upsert surfaces as a duplicate key, which is expected and ignored).
 */
export async function writeBatch(
  db: Db,
  physicalName: (logical: string) => string,
  ops: readonly ReadModelOp[],
  position: bigint,
  chunkSize: number,
): Promise<{ applied: number; skipped: number }> {
  const pos = Number(position);
  const byCollection = new Map<string, AnyBulkWriteOperation[]>();
  for (const op of ops) {
    const name = physicalName(op.collection);
    const list = byCollection.get(name) ?? [];
    list.push({
      updateOne: {
        filter: { _id: op.id as never, _pos: { $not: { $gte: pos } } },
        update: update(op, pos),
        upsert: true,
      },
    });
    byCollection.set(name, list);
  }
  let applied = 0;
  let skipped = 0;
  for (const [name, list] of byCollection) {
    for (let i = 0; i < list.length; i += chunkSize) {
      const chunk = list.slice(i, i + chunkSize);
      try {
        const r = await db.collection(name).bulkWrite(chunk, { ordered: false });
        applied += r.matchedCount + r.upsertedCount;
      } catch (err) {
        const e = err as { writeErrors?: { code: number }[] | { code: number }; result?: unknown };
        const errors = Array.isArray(e.writeErrors)
          ? e.writeErrors
          : e.writeErrors
            ? [e.writeErrors]
            : [];
        if (errors.length === 0 || errors.some((w) => w.code !== DUPLICATE_KEY)) throw err;
        skipped += errors.length;
        applied += chunk.length - errors.length;
      }
    }
  }
  return { applied, skipped };
}
