import {
  MongoBulkWriteError,
  type AnyBulkWriteOperation,
  type BulkWriteResult,
  type Collection,
  type Document,
  type WriteError,
} from 'mongodb';
import {
  canRunUnordered,
  chunk,
  countUpdates,
  isolate,
  isUpdate,
  isUpsert,
  updateChunkSize,
} from './bulkChunks';
import { serverQuirks, type ServerQuirks } from './serverQuirks';
import type { WriteBudget } from './writeBudget';

export { chunk, defaultBulkChunkSize } from './bulkChunks';

export const DUPLICATE_KEY = 11000;

export interface ChunkedBulkWriteOptions {
  /** Operations per command; see `defaultBulkChunkSize(kind)`. */
  chunkSize: number;
  /**
   * The process's budget of update operations in flight: each command waits for its updates + 1
   * permits, and commands with updates are split to fit (see `WriteBudget`).
   */
  budget: WriteBudget;
  /** `auto` (default): unordered when every op targets a distinct literal `_id`, else ordered. */
  ordered?: boolean | 'auto';
  /**
   * Which duplicate-key errors (11000) are returned instead of thrown. `upserts` (default): only
   * those of upserts, where a failed guard (`{_id, pos: {$lt: n}}`) makes the upsert try to insert
   * an `_id` that exists, i.e. the document is already past this write. `all`: inserts too.
   */
  reportDuplicateKeys?: 'upserts' | 'all';
  /**
   * The caller's promise that sending any of these operations a second time has no effect (e.g.
   * guarded upserts). It matters only where update errors are inexact (FerretDB): chunks then go
   * in bulk, and a chunk that hits a duplicate key is resent one operation per command; the
   * operations the failed command had already applied come back as duplicates too.
   * Default false: there, updates whose duplicate key would be reported go one per command.
   */
  resendable?: boolean;
  /** Overrides what is otherwise asked from the server once per client (see `ServerQuirks`). */
  quirks?: Pick<ServerQuirks, 'exactUpdateErrors' | 'maxUpdatesPerCommand'>;
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
 * `collection.bulkWrite` in chunks of `chunkSize` (when there are updates, at most the server's
 * `maxUpdatesPerCommand` and what one command may carry under `budget`), one chunk after the
 * other, each command sent within the budget. Duplicate-key errors chosen by
 * `reportDuplicateKeys` come back in `duplicateKeys`; in an ordered chunk the operations after
 * such an error are resubmitted, so each one is attempted exactly once. Any other write error is
 * thrown (as the driver's `MongoBulkWriteError`); earlier chunks stay applied.
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
  const quirks = options.quirks ?? (await serverQuirks(collection.db));
  const exact = quirks.exactUpdateErrors;
  const resendSingly = !exact && options.resendable === true;
  // Without exact update errors, an update that may fail with a reported duplicate key goes alone.
  const alone = (op: AnyBulkWriteOperation<T>) =>
    !exact && !resendSingly && isUpdate(op) && reportable(op);
  const size = ops.some(isUpdate)
    ? updateChunkSize(options.chunkSize, quirks.maxUpdatesPerCommand, options.budget)
    : options.chunkSize;
  let offset = 0;
  for (const part of chunk(ops, size)) {
    const ordered =
      options.ordered === undefined || options.ordered === 'auto'
        ? !canRunUnordered(part)
        : options.ordered;
    for (const segment of isolate(part, alone)) {
      const write = {
        collection,
        budget: options.budget,
        ordered,
        reportable,
        resendSingly,
        result,
      };
      await writeChunk(write, segment.ops, offset + segment.start);
    }
    offset += part.length;
  }
  return result;
}

interface ChunkWrite<T extends Document> {
  collection: Collection<T>;
  budget: WriteBudget;
  ordered: boolean;
  reportable: (op: AnyBulkWriteOperation<T>) => boolean;
  /** On a duplicate key, resend the chunk one op per command (inexact server, resendable ops). */
  resendSingly: boolean;
  result: ChunkedBulkWriteResult<T>;
}

async function writeChunk<T extends Document>(
  write: ChunkWrite<T>,
  part: AnyBulkWriteOperation<T>[],
  offset: number,
): Promise<void> {
  const { collection, budget, ordered, result } = write;
  let start = 0;
  while (start < part.length) {
    const slice = part.slice(start);
    const base = offset + start;
    result.commands += 1;
    try {
      const send = () => collection.bulkWrite(slice, { ordered });
      mergeCounts(result, await budget.command(countUpdates(slice), send), base);
      return;
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError) || error.err !== undefined) throw error;
      const writeErrors = toArray(error.writeErrors);
      if (write.resendSingly && slice.length > 1) {
        // The server's indexes and counts are not to be trusted: resend each op on its own.
        if (writeErrors.some((e) => e.code !== DUPLICATE_KEY)) throw error;
        const single = { ...write, reportable: () => true, resendSingly: false };
        for (const [i, op] of slice.entries()) await writeChunk(single, [op], base + i);
        return;
      }
      const reported = (e: WriteError) =>
        e.code === DUPLICATE_KEY && write.reportable(slice[e.index]!);
      if (!writeErrors.every(reported)) throw error;
      mergeCounts(result, error.result, base);
      for (const e of writeErrors) {
        const operation = slice[e.index]!;
        result.duplicateKeys.push({ index: base + e.index, operation, message: e.errmsg ?? '' });
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
