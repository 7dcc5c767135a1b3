import type { Collection, Db } from 'mongodb';
import {
  mergeCells,
  mergeRecent,
  type TrackCells,
  type TrackRecent,
} from '../../../projections/lib/rollupCells';
import {
  compactedCollection,
  deltaCollection,
  directoryCollection,
  rollupFamily,
  trackRollups,
} from '../../../projections/trackRollups';
import type { WriteBudget } from '../../mongo/writeBudget';
import { liveGeneration, physicalName } from '../pointers';
import {
  containerField,
  packRollup,
  unpackRollup,
  type CompactedDoc,
  type DirectoryDoc,
  type RollupDeltaDoc,
} from './documents';

/** Folded deltas and superseded versions are deleted only after this (readers' directory TTL ≪ it). */
export const deletionGraceMs = 30_000;

export type PartitionReport = { partition: string; containers: number; deltas: number };

/** The partitions of a generation that have a delta collection. */
export async function deltaPartitions(db: Db, familyPhysical: string): Promise<string[]> {
  const prefix = `${familyPhysical}.`;
  const names = await db.listCollections({}, { nameOnly: true }).toArray();
  return names
    .map((c) => c.name)
    .filter((n) => n.startsWith(prefix) && n.endsWith('.d'))
    .map((n) => n.slice(prefix.length, -2))
    .sort();
}

/**
 * Compacts one partition at `checkpoint`: every delta with `pos` ≤ checkpoint not folded yet is
 * folded, per container, with the container's current compacted version into a new version
 * `<container>|c<checkpoint>` (insert), then the directory names the new versions (one
 * document write). Deltas and superseded versions are deleted by a later run, `deletionGraceMs`
 * after they were folded, so a reader holding the previous directory still finds them. Every
 * intermediate state reads the same; a rerun after a crash finds its own insert (duplicate key).
 */
export async function compactPartition(
  db: Db,
  physical: (logical: string) => string,
  partition: string,
  checkpoint: number,
  now: Date,
  budget: WriteBudget,
): Promise<PartitionReport> {
  const directory = db.collection<DirectoryDoc>(physical(directoryCollection));
  const deltas = db.collection<RollupDeltaDoc>(physical(deltaCollection(partition)));
  const compacted = db.collection<CompactedDoc>(physical(compactedCollection(partition)));
  const dir: DirectoryDoc = (await directory.findOne({ _id: partition })) ?? {
    _id: partition,
    containers: {},
    folded: [],
    superseded: [],
  };
  let changed = await deleteExpired(dir, deltas, compacted, now, budget);

  const upToOf = (container: string) => dir.containers[containerField(container)] ?? -1;
  // Streamed and folded as they come: memory holds the result, not the deltas (a catch-up
  // leaves thousands of large year deltas in one partition).
  const folded = new Map<string, { cells: TrackCells; recent: TrackRecent; previous?: string }>();
  let count = 0;
  for await (const d of deltas.find({ pos: { $lte: checkpoint } })) {
    if (d.pos <= upToOf(d.container)) continue;
    count++;
    let acc = folded.get(d.container);
    if (!acc) {
      const previous =
        upToOf(d.container) >= 0 ? `${d.container}|c${upToOf(d.container)}` : undefined;
      const base = previous ? await compacted.findOne({ _id: previous }) : null;
      acc = { ...unpackRollup(base ?? {}), ...(previous ? { previous } : {}) };
      folded.set(d.container, acc);
    }
    const delta = unpackRollup(d);
    acc.cells = mergeCells([acc.cells, delta.cells]);
    acc.recent = mergeRecent([acc.recent, delta.recent]);
  }
  if (folded.size > 0) {
    const docs: CompactedDoc[] = [...folded].map(([container, acc]) => ({
      _id: `${container}|c${checkpoint}`,
      container,
      upTo: checkpoint,
      ...packRollup(acc),
    }));
    for (const doc of docs) {
      await budget
        .command(0, () => compacted.insertOne(doc))
        .catch((err: { code?: number }) => {
          if (err.code !== 11000) throw err; // a rerun: its version is already there
        });
    }
    const previousIds = [...folded.values()].flatMap((a) => (a.previous ? [a.previous] : []));
    for (const c of folded.keys()) dir.containers[containerField(c)] = checkpoint;
    dir.folded.push({ upTo: checkpoint, at: now });
    if (previousIds.length) dir.superseded.push({ ids: previousIds, at: now });
    changed = true;
  }
  if (changed) {
    await budget.command(1, () => directory.replaceOne({ _id: partition }, dir, { upsert: true }));
  }
  return { partition, containers: folded.size, deltas: count };
}

/** Deletes what was folded or superseded more than `deletionGraceMs` ago (mutates `dir`). */
async function deleteExpired(
  dir: DirectoryDoc,
  deltas: Collection<RollupDeltaDoc>,
  compacted: Collection<CompactedDoc>,
  now: Date,
  budget: WriteBudget,
): Promise<boolean> {
  const expired = (at: Date) => now.getTime() - at.getTime() >= deletionGraceMs;
  const folded = dir.folded.filter((f) => expired(f.at));
  if (folded.length > 0) {
    const upTo = Math.max(...folded.map((f) => f.upTo));
    // Every delta with pos ≤ a finished run's checkpoint was folded by that run.
    await budget.command(0, () => deltas.deleteMany({ pos: { $lte: upTo } }));
    dir.folded = dir.folded.filter((f) => !expired(f.at));
  }
  const superseded = dir.superseded.filter((s) => expired(s.at));
  if (superseded.length > 0) {
    const ids = superseded.flatMap((s) => s.ids) as never[];
    await budget.command(0, () => compacted.deleteMany({ _id: { $in: ids } }));
    dir.superseded = dir.superseded.filter((s) => !expired(s.at));
  }
  return folded.length > 0 || superseded.length > 0;
}

/** Compacts every partition of the live generation at its checkpoint. */
export async function compactRollups(db: Db, budget: WriteBudget, now = new Date()) {
  const { generation, position } = await liveGeneration(db, trackRollups.name);
  const physical = (logical: string) => physicalName(logical, generation);
  const partitions = await deltaPartitions(db, physical(rollupFamily));
  const reports: PartitionReport[] = [];
  for (const partition of partitions) {
    reports.push(await compactPartition(db, physical, partition, position, now, budget));
  }
  const touched = reports.filter((r) => r.deltas > 0);
  return {
    upTo: position,
    partitions: partitions.length,
    compacted: touched.length,
    deltasMerged: touched.reduce((s, r) => s + r.deltas, 0),
  };
}
