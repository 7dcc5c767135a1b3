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
};

/**
 * A whole new document. Its `id` must be derived from the events' log positions, so a replay
 * of the same batch produces the same id and the duplicate insert is skipped: exactly-once
 * without any guard, and at insert speed (FerretDB inserts ~16x faster than it updates).
 */
export type InsertOp = {
  collection: string;
  id: string;
  insert: Record<string, unknown>;
};

export type ReadModelOp = UpsertOp | InsertOp;

export const isInsert = (op: ReadModelOp): op is InsertOp => op.insert !== undefined;

export type IndexSpec = { collection: string; keys: Record<string, 1 | -1> };

export type Projection = {
  /** Stable name: checkpoint key, metrics label, CLI argument. */
  name: string;
  /** Bumping it rebuilds the read model from the start of the log. */
  version: number;
  canHandle: readonly StoredEventType[];
  /** Logical collections this projection owns. */
  collections: readonly string[];
  /** Secondary indexes the readers (and jobs) need, created on every generation. */
  indexes?: readonly IndexSpec[];
  /** Events of one batch, in log order, already filtered to `canHandle`, to write operations. */
  project(events: readonly TrackEvent[]): ReadModelOp[];
};
