import type { Db } from 'mongodb';
import type { RollupStats } from '../../../projections/lib/rollupStats';
import type { WriteBudget } from '../../mongo/writeBudget';
import {
  bindingsCollection,
  deltaCollection,
  loadBindings,
  unassigned,
  type BindingDoc,
} from '../../../projections/trackRollups';
import { encodeRollupDelta, type RollupDeltaDoc } from './documents';

/**
 * Inserts count corrections of one UTC day (reconciliation) as deltas of the day's cell, its
 * month's and its year's, in a container readers read for each track (the newest on its
 * list). Their position is `checkpoint + 0.5`: past everything already folded, so compaction
 * folds them with the next batch and readers count them from then on. Ids come from the
 * checkpoint and the day: a rerun at the same checkpoint collides with its own insert.
 */
export async function applyRollupCorrections(
  db: Db,
  physical: (logical: string) => string,
  corrections: ReadonlyMap<string, RollupStats>,
  keys: { year: string; month: string; day: string },
  checkpoint: number,
  budget: WriteBudget,
): Promise<void> {
  const bindings = loadBindings(
    await db.collection<BindingDoc>(physical(bindingsCollection)).find({}).toArray(),
    checkpoint,
  );
  const pos = checkpoint + 0.5;
  const [year, month] = keys.month.split('-') as [string, string];
  const cells = [
    { partition: `d${keys.month}`, key: keys.day },
    { partition: `m${year}`, key: month },
    { partition: 'y', key: year },
  ];
  for (const { partition, key } of cells) {
    const byContainer = new Map<string, Map<string, Record<string, RollupStats>>>();
    for (const [trackId, diff] of corrections) {
      const containers = bindings.get(trackId)?.containers ?? [];
      const container = containers[containers.length - 1] ?? unassigned;
      let m = byContainer.get(container);
      if (!m) byContainer.set(container, (m = new Map()));
      m.set(trackId, { [key]: diff });
    }
    const docs: RollupDeltaDoc[] = [...byContainer].map(([container, cells]) =>
      encodeRollupDelta({
        _id: `${container}|r${checkpoint}-${keys.month}-${keys.day}`,
        container,
        pos,
        cells,
      }),
    );
    const collection = db.collection<RollupDeltaDoc>(physical(deltaCollection(partition)));
    await budget
      .command(0, () => collection.insertMany(docs, { ordered: false }))
      .catch((err: { code?: number }) => {
        if (err.code !== 11000) throw err;
      });
  }
}
