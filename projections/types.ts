import type { StoredEventType, TrackEvent } from '../src/events/stored';

/**
 * One write to one read-model document, produced by a pure projection.
 * The runtime turns it into a guarded upsert: applied once per batch, never twice.
 */
export type UpsertOp = {
  /** Logical collection name; the runtime maps it to the live (or rebuilding) physical one. */
  collection: string;
  id: string;
  inc?: Record<string, number>;
  set?: Record<string, unknown>;
  setOnInsert?: Record<string, unknown>;
  max?: Record<string, unknown>;
  min?: Record<string, unknown>;
  insert?: undefined;
  put?: undefined;
};

/**
 * A whole new document. Its `id` must be derived from the events' log positions, so a replay
 * of the same batch produces the same id and the duplicate insert is skipped: exactly-once
 * without any guard, and at insert speed (FerretDB inserts ~16x faster than it updates).
 * `insert` is the document as the projection means it (maps, bytes, Dates); how it is stored is
 * the adapter's choice (src/readModels/documentCodecs.ts).
 */
export type InsertOp = {
  collection: string;
  id: string;
  insert: Record<string, unknown>;
  put?: undefined;
};

/**
 * Set these fields of the document (created if absent). For values that are the same however
 * often they are written (idempotent: a replayed batch sets them again), so no guard is
 * needed; the runtime inserts first (fast) and `$set`s only the ids that already exist.
 */
export type PutOp = {
  collection: string;
  id: string;
  put: Record<string, unknown>;
  insert?: undefined;
};

export type ReadModelOp = UpsertOp | InsertOp | PutOp;

export const isInsert = (op: ReadModelOp): op is InsertOp => op.insert !== undefined;
export const isPut = (op: ReadModelOp): op is PutOp => op.put !== undefined;

/**
 * A secondary index. `collection` may end a pattern with `*` parts (`track_rollups.*.d`): the
 * index is then created on every partition collection matching it, when first written.
 */
export type IndexSpec = { collection: string; keys: Record<string, 1 | -1> };

/**
 * State a projection keeps between batches (bounded, e.g. by the catalog), stored in one of its
 * own collections: the runtime reads that collection when the projector starts and hands
 * `load(docs, checkpoint)` to every `project` call, which evolves it in memory.
 */
export type ProjectionState<S> = {
  collection: string;
  load(docs: readonly Record<string, unknown>[], checkpoint: number): S;
};

export type Projection<S = unknown> = {
  /** Stable name: checkpoint key, metrics label, CLI argument. */
  name: string;
  /** Bumping it rebuilds the read model from the start of the log. */
  version: number;
  canHandle: readonly StoredEventType[];
  /** Logical collections this projection owns. */
  collections: readonly string[];
  /** Secondary indexes the readers (and jobs) need, created on every generation. */
  indexes?: readonly IndexSpec[];
  state?: ProjectionState<S>;
  /**
   * Events of one batch, in log order, already filtered to `canHandle`, to write operations.
   * A stateful projection also gets its state (evolved in place, batch after batch).
   */
  project(events: readonly TrackEvent[], state?: S): ReadModelOp[];
};
