import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { MongoKind } from './provision';
import type { WriteBudget } from './writeBudget';

/**
 * FerretDB 1.24 never answers an update command carrying 100 or more updates of existing
 * documents (99 works; measured, and covered by bulkWrite.int.spec.ts), so its chunks stay below that. Real MongoDB takes
 * up to 100,000 per command; 1,000 keeps each round trip small. Concurrent commands share
 * FerretDB's pool, so `chunkedBulkWrite` also splits to what its `WriteBudget` allows.
 */
export function defaultBulkChunkSize(kind: MongoKind): number {
  return kind === 'ferretdb' ? 99 : 1000;
}

/** Splits `items` into consecutive slices of at most `size` (the last may be shorter). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    chunks.push(items.slice(start, start + size));
  return chunks;
}

export function isUpdate<T extends Document>(op: AnyBulkWriteOperation<T>): boolean {
  return 'updateOne' in op || 'updateMany' in op || 'replaceOne' in op;
}

/** Update operations in one command (what FerretDB holds a backend connection for). */
export function countUpdates<T extends Document>(ops: readonly AnyBulkWriteOperation<T>[]): number {
  return ops.filter(isUpdate).length;
}

/**
 * Operations per command when a write has updates: the caller's chunk size, the server's cap on
 * updates per command and the most one command may carry under the budget, whichever is least.
 */
export function updateChunkSize(
  chunkSize: number,
  maxUpdatesPerCommand: number,
  budget: WriteBudget,
): number {
  return Math.min(chunkSize, maxUpdatesPerCommand, budget.maxUpdatesPerCommand);
}

export function isUpsert<T extends Document>(op: AnyBulkWriteOperation<T>): boolean {
  if ('updateOne' in op) return op.updateOne.upsert === true;
  if ('updateMany' in op) return op.updateMany.upsert === true;
  if ('replaceOne' in op) return op.replaceOne.upsert === true;
  return false;
}

/**
 * True when the operations may run unordered: each touches exactly one document named by a
 * literal `_id`, and no two name the same one, so their relative order cannot change the outcome.
 */
export function canRunUnordered<T extends Document>(
  ops: readonly AnyBulkWriteOperation<T>[],
): boolean {
  const seen = new Set<string>();
  for (const op of ops) {
    // An insert without _id gets a fresh generated one: nothing else can target it.
    if ('insertOne' in op && (op.insertOne.document as Document)._id === undefined) continue;
    const key = targetKey(op);
    if (key === undefined || seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

function targetKey<T extends Document>(op: AnyBulkWriteOperation<T>): string | undefined {
  if ('insertOne' in op) return idKey((op.insertOne.document as Document)._id);
  if ('updateOne' in op) return idKey((op.updateOne.filter as Document)._id);
  if ('replaceOne' in op) return idKey((op.replaceOne.filter as Document)._id);
  if ('deleteOne' in op) return idKey((op.deleteOne.filter as Document)._id);
  return undefined; // updateMany / deleteMany may touch any document
}

function idKey(id: unknown): string | undefined {
  if (id === undefined || id === null) return undefined;
  if (id instanceof Date) return `date:${id.toISOString()}`;
  if (typeof id !== 'object') return `${typeof id}:${String(id)}`;
  const bsonType = (id as { _bsontype?: unknown })._bsontype;
  if (typeof bsonType === 'string') return `${bsonType}:${String(id)}`;
  if (Object.keys(id).some((key) => key.startsWith('$'))) return undefined; // an operator, not a value
  return `object:${JSON.stringify(id)}`;
}

export interface Segment<T> {
  /** Index of `ops[0]` in the list that was segmented. */
  start: number;
  ops: T[];
}

/**
 * Splits `items` in order into segments: each item for which `alone` holds gets a segment of its
 * own, and runs of the others stay together.
 */
export function isolate<T>(items: readonly T[], alone: (item: T) => boolean): Segment<T>[] {
  const segments: Segment<T>[] = [];
  let run: Segment<T> | undefined;
  items.forEach((item, index) => {
    if (alone(item)) {
      run = undefined;
      segments.push({ start: index, ops: [item] });
    } else if (run === undefined) {
      run = { start: index, ops: [item] };
      segments.push(run);
    } else {
      run.ops.push(item);
    }
  });
  return segments;
}
