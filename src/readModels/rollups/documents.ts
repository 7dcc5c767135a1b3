import type { TrackCells, TrackRecent } from '../../../projections/lib/rollupCells';
import { encodeKey } from '../../../projections/lib/rollupStats';
import { rollupFamily, type RollupDelta } from '../../../projections/trackRollups';
import type { DocumentCodec } from '../documentCodecs';
import { packCells, packRecent, unpackCells, unpackRecent } from './packing';

/**
 * The documents of the rollup store as stored: the projector's deltas (`RollupDelta` in
 * projections/trackRollups.ts, packed here) and what compaction keeps. docs/READ-MODELS.md
 * describes them for readers.
 */

/** Cells and recent lists as stored: JSON strings (`packing.ts`). */
export type PackedRollup = {
  /** `packCells`: per track, per cell key, the statistics. */
  cellsJson: string;
  /** `packRecent`, hour partitions only: per track, its newest plays and likes. */
  recentJson?: string;
};

/** A stored delta, one per (batch, container) in `<family>.<partition>.d`. */
export type RollupDeltaDoc = PackedRollup & {
  /** `<container>|<pos>` (a correction: `<container>|r<checkpoint>-<month>-<day>`). */
  _id: string;
  container: string;
  pos: number;
};

/** One per (partition, container): every delta with `pos` ≤ `upTo` folded in. */
export type CompactedDoc = PackedRollup & {
  /** `<container>|c<upTo>`. */
  _id: string;
  container: string;
  upTo: number;
};

/** One per partition: the current compacted version of each container, and what awaits deletion. */
export type DirectoryDoc = {
  /** The partition, e.g. `h2026-11`. */
  _id: string;
  /** `containerField(container)` → `upTo` of its current compacted version. */
  containers: Record<string, number>;
  /** Compaction runs whose folded deltas are deleted once `deletionGraceMs` has passed. */
  folded: { upTo: number; at: Date }[];
  /** Compacted versions replaced by newer ones, deleted after the same grace. */
  superseded: { ids: string[]; at: Date }[];
};

/** Container ids as field names (artist ids may hold `.`). */
export const containerField = (container: string): string => encodeKey(container);

/** Cells (and recent lists, when there are any) in their stored form. */
export function packRollup(content: { cells: TrackCells; recent?: TrackRecent }): PackedRollup {
  const packed: PackedRollup = { cellsJson: packCells(content.cells) };
  const recentJson = packRecent(content.recent);
  if (recentJson) packed.recentJson = recentJson;
  return packed;
}

export function unpackRollup(doc: Partial<PackedRollup>): {
  cells: TrackCells;
  recent: TrackRecent;
} {
  return { cells: unpackCells(doc.cellsJson), recent: unpackRecent(doc.recentJson) };
}

/** Whether a logical collection holds a partition's deltas (`<family>.<partition>.d`). */
export const isDeltaCollection = (logical: string): boolean =>
  logical.startsWith(`${rollupFamily}.`) && logical.endsWith('.d');

/** The stored form of a delta (`id`: the op's, which the projection derives from `_id`). */
export function encodeRollupDelta(delta: RollupDelta, id = delta._id): RollupDeltaDoc {
  return { _id: id, container: delta.container, pos: delta.pos, ...packRollup(delta) };
}

export function decodeRollupDelta(doc: RollupDeltaDoc): RollupDelta {
  const { cells, recent } = unpackRollup(doc);
  const delta: RollupDelta = { _id: doc._id, container: doc.container, pos: doc.pos, cells };
  if (doc.recentJson !== undefined) delta.recent = recent;
  return delta;
}

export const rollupDeltaCodec: DocumentCodec = {
  encode: (doc, id) => encodeRollupDelta(doc as RollupDelta, id),
  decode: (stored) => decodeRollupDelta(stored as RollupDeltaDoc),
};
