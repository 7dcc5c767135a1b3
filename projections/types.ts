import type { StoredEventType, TrackEvent } from '../src/events/stored';

/**
 * One write to one read-model document, produced by a pure projection.
 * The runtime turns it into a guarded upsert: applied once per batch, never twice.
 */
export type ReadModelOp = {
  /** Logical collection name; the runtime maps it to the live (or rebuilding) physical one. */
  collection: string;
  id: string;
  inc?: Record<string, number>;
  set?: Record<string, unknown>;
  setOnInsert?: Record<string, unknown>;
  max?: Record<string, unknown>;
  min?: Record<string, unknown>;
};

export type Projection = {
  /** Stable name: checkpoint key, metrics label, CLI argument. */
  name: string;
  /** Bumping it rebuilds the read model from the start of the log. */
  version: number;
  canHandle: readonly StoredEventType[];
  /** Logical collections this projection owns. */
  collections: readonly string[];
  /** Events of one batch, in log order, already filtered to `canHandle`, to write operations. */
  project(events: readonly TrackEvent[]): ReadModelOp[];
};
