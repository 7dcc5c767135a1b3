import type { Db } from 'mongodb';
import type { Projection, ReadModelOp } from '../../projections/types';

const matches = (pattern: string, name: string): boolean =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^.]+')}$`,
  ).test(name);

/**
 * Creates a projection's pattern indexes (`family.*.d`) on each partition collection the first
 * time a batch writes to it. Index creation is idempotent, so a restart only repeats it once.
 */
export function partitionIndexes(
  db: Db,
  projection: Projection,
  physicalName: (logical: string) => string,
) {
  const patterns = (projection.indexes ?? []).filter((i) => i.collection.includes('*'));
  const seen = new Set<string>();
  return async (ops: readonly ReadModelOp[]): Promise<void> => {
    if (patterns.length === 0) return;
    for (const op of ops) {
      if (seen.has(op.collection)) continue;
      seen.add(op.collection);
      for (const index of patterns) {
        if (!matches(index.collection, op.collection)) continue;
        await db.collection(physicalName(op.collection)).createIndex(index.keys);
      }
    }
  };
}
