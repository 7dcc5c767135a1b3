import { encodeKey } from '../../../projections/lib/rollupStats';

/**
 * The documents the rollup store keeps besides the projector's deltas (`RollupDeltaDoc` in
 * projections/trackRollups.ts). docs/READ-MODELS.md describes them for readers.
 */

/** One per (partition, container): every delta with `pos` ≤ `upTo` folded in. */
export type CompactedDoc = {
  /** `<container>|c<upTo>`. */
  _id: string;
  container: string;
  upTo: number;
  cellsJson: string;
  recentJson?: string;
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
