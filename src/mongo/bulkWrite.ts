import {
  MongoBulkWriteError,
  type AnyBulkWriteOperation,
  type BulkWriteResult,
  type Collection,
  type Document,
  type WriteError,
} from 'mongodb';
import { canRunUnordered, chunk, isolate, isUpsert } from './bulkChunks';
import { serverQuirks } from './serverQuirks';

export { chunk, defaultBulkChunkSize } from './bulkChunks';

export const DUPLICATE_KEY = 11000;

export interface ChunkedBulkWriteOptions {
  /** Operations per command; see `defaultBulkChunkSize(kind)`. */
  chunkSize: number;
  /** `auto` (default): unordered when every op targets a distinct literal `_id`, else ordered. */
  ordered?: boolean | 'auto';
  /**
   * Which duplicate-key errors (11000) are returned instead of thrown. `upserts` (default): only
   * those of upserts, where a failed guard (`{_id, pos: {$lt: n}}`) makes the upsert try to insert
   * an `_id` that exists, i.e. the document is already past this write. `all`: inserts too.
   */
  reportDuplicateKeys?: 'upserts' | 'all';
  /**
   * Whether the server reports which update of a command failed (see `ServerQuirks`). When it
   * does not (FerretDB), updates whose duplicate key would be reported are sent one per command.
   * Default: asked from the server once per client.
   */
  exactUpdateErrors?: boolean;
}

export interface DuplicateKeyConflict<T extends Document> {
  /** Index of the operation in the `ops` given to `chunkedBulkWrite`. */
  index: number;
  operation: AnyBulkWriteOperation<T>;
  message: string;
}

export interface ChunkedBulkWriteResult<T extends Document> {
  insertedCount: number;
  matchedCount: number;
  modifiedCount: number;
  deletedCount: number;
  upsertedCount: number;
  /** Upserted ids keyed by the operation's index in `ops`. */
  upsertedIds: Record<number, unknown>;
  duplicateKeys: DuplicateKeyConflict<T>[];
  /** Commands sent (a chunk resumed after a duplicate key counts again). */
  commands: number;
}

/**
 * `collection.bulkWrite` in chunks of `chunkSize`, one chunk after the other. Duplicate-key errors
 * chosen by `reportDuplicateKeys` come back in `duplicateKeys`; in an ordered chunk the operations
 * after such an error are resubmitted, so each one is attempted exactly once. Any other write
 * error is thrown (as the driver's `MongoBulkWriteError`); earlier chunks stay applied.
 */
export async function chunkedBulkWrite<T extends Document>(
  collection: Collection<T>,
  ops: readonly AnyBulkWriteOperation<T>[],
  options: ChunkedBulkWriteOptions,
): Promise<ChunkedBulkWriteResult<T>> {
  const result: ChunkedBulkWriteResult<T> = {
    insertedCount: 0,
    matchedCount: 0,
    modifiedCount: 0,
    deletedCount: 0,
    upsertedCount: 0,
    upsertedIds: {},
    duplicateKeys: [],
    commands: 0,
  };
  if (ops.length === 0) return result;
  const reportable = (op: AnyBulkWriteOperation<T>) =>
    options.reportDuplicateKeys === 'all' || isUpsert(op);
  const exact = options.exactUpdateErrors ?? (await serverQuirks(collection.db)).exactUpdateErrors;
  // Without exact update errors, an update that may fail with a reported duplicate key goes alone.
  const alone = (op: AnyBulkWriteOperation<T>) => !exact && !('insertOne' in op) && reportable(op);
  let offset = 0;
  for (const part of chunk(ops, options.chunkSize)) {
    const ordered =
      options.ordered === undefined || options.ordered === 'auto'
        ? !canRunUnordered(part)
        : options.ordered;
    for (const segment of isolate(part, alone)) {
      await writeChunk(
        collection,
        segment.ops,
        offset + segment.start,
        ordered,
        reportable,
        result,
      );
    }
    offset += part.length;
  }
  return result;
}

async function writeChunk<T extends Document>(
  collection: Collection<T>,
  part: AnyBulkWriteOperation<T>[],
  offset: number,
  ordered: boolean,
  reportable: (op: AnyBulkWriteOperation<T>) => boolean,
  result: ChunkedBulkWriteResult<T>,
): Promise<void> {
  let start = 0;
  while (start < part.length) {
    const slice = part.slice(start);
    const base = offset + start;
    result.commands += 1;
    try {
      mergeCounts(result, await collection.bulkWrite(slice, { ordered }), base);
      return;
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError) || error.err !== undefined) throw error;
      const writeErrors = toArray(error.writeErrors);
      if (writeErrors.some((e) => e.code !== DUPLICATE_KEY || !reportable(slice[e.index]!)))
        throw error;
      mergeCounts(result, error.result, base);
      for (const e of writeErrors) {
        result.duplicateKeys.push({
          index: base + e.index,
          operation: slice[e.index]!,
          message: e.errmsg ?? '',
        });
      }
      if (!ordered) return;
      // Ordered: the server stopped at the failed operation; carry on after it.
      start += Math.max(...writeErrors.map((e) => e.index)) + 1;
    }
  }
}

function mergeCounts<T extends Document>(
  into: ChunkedBulkWriteResult<T>,
  from: BulkWriteResult,
  base: number,
): void {
  into.insertedCount += from.insertedCount;
  into.matchedCount += from.matchedCount;
  into.modifiedCount += from.modifiedCount;
  into.deletedCount += from.deletedCount;
  into.upsertedCount += from.upsertedCount;
  for (const [index, id] of Object.entries(from.upsertedIds))
    into.upsertedIds[base + Number(index)] = id;
}

function toArray(errors: WriteError | readonly WriteError[]): WriteError[] {
  // WriteError is a type only at runtime's door (the driver does not export the class).
  return Array.isArray(errors) ? [...(errors as readonly WriteError[])] : [errors as WriteError];
}
