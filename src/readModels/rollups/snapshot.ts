import type { Db } from 'mongodb';
import { uniqueListeners, type RollupStats } from '../../../projections/lib/rollupStats';
import { rollupFamily } from '../../../projections/trackRollups';
import { partitionContents } from './partitionContents';

const normalize = (s: RollupStats) => {
  const { listeners: _l, ...rest } = s;
  return { ...rest, uniqueListeners: uniqueListeners(s) };
};

/**
 * Every cell of a rollup generation at `checkpoint`, as plain data (listener sketches as their
 * counts), keyed `partition → track → cell key`: what tests and operators compare. Reads every
 * partition, so it is for tests, checks and small data sets, not for requests.
 */
export async function rollupSnapshot(
  db: Db,
  physical: (logical: string) => string,
  checkpoint: number,
): Promise<Record<string, Record<string, Record<string, ReturnType<typeof normalize>>>>> {
  const prefix = `${physical(rollupFamily)}.`;
  const partitions = new Set(
    (await db.listCollections({}, { nameOnly: true }).toArray())
      .map((c) => c.name)
      .filter((n) => n.startsWith(prefix) && n !== `${prefix}dir`)
      .map((n) => n.slice(prefix.length).replace(/\.d$/, '')),
  );
  const out: Record<string, Record<string, Record<string, ReturnType<typeof normalize>>>> = {};
  for (const partition of [...partitions].sort()) {
    const cells = await partitionContents(db, physical, partition, checkpoint);
    const tracks = [...cells.keys()].sort();
    if (tracks.length === 0) continue;
    out[partition] = Object.fromEntries(
      tracks.map((t) => [
        t,
        Object.fromEntries(
          Object.entries(cells.get(t)!)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([k, s]) => [k, normalize(s)]),
        ),
      ]),
    );
  }
  return out;
}
