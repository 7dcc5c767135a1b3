import type { Collection, Db } from 'mongodb';
import {
  mergeCells,
  mergeRecent,
  packCells,
  packRecent,
  unpackCells,
  unpackRecent,
} from '../../../projections/lib/rollupCells';
import {
  compactedCollection,
  deltaCollection,
  directoryCollection,
  rollupFamily,
  trackRollups,
  type RollupDeltaDoc,
} from '../../../projections/trackRollups';
import { liveGeneration, physicalName } from '../pointers';
import { containerField, type CompactedDoc, type DirectoryDoc } from './documents';

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
  let changed = await deleteExpired(dir, deltas, compacted, now);

  const upToOf = (container: string) => dir.containers[containerField(container)] ?? -1;
  const fresh = (await deltas.find({ pos: { $lte: checkpoint } }).toArray()).filter(
    (d) => d.pos > upToOf(d.container),
  );
  if (fresh.length > 0) {
    const byContainer = new Map<string, RollupDeltaDoc[]>();
    for (const d of fresh) {
      const list = byContainer.get(d.container);
      if (list) list.push(d);
      else byContainer.set(d.container, [d]);
    }
    const previousIds = [...byContainer.keys()]
      .filter((c) => upToOf(c) >= 0)
      .map((c) => `${c}|c${upToOf(c)}`);
    const previous = new Map(
      (previousIds.length ? await compacted.find({ _id: { $in: previousIds } }).toArray() : []).map(
        (d) => [d.container, d],
      ),
    );
    const docs: CompactedDoc[] = [...byContainer].map(([container, list]) => {
      const parts = [...(previous.has(container) ? [previous.get(container)!] : []), ...list];
      const recentJson = packRecent(mergeRecent(parts.map((p) => unpackRecent(p.recentJson))));
      return {
        _id: `${container}|c${checkpoint}`,
        container,
        upTo: checkpoint,
        cellsJson: packCells(mergeCells(parts.map((p) => unpackCells(p.cellsJson)))),
        ...(recentJson ? { recentJson } : {}),
      };
    });
    await compacted.insertMany(docs, { ordered: false }).catch((err: { code?: number }) => {
      if (err.code !== 11000) throw err; // a rerun: its versions are already there
    });
    for (const c of byContainer.keys()) dir.containers[containerField(c)] = checkpoint;
    dir.folded.push({ upTo: checkpoint, at: now });
    if (previousIds.length) dir.superseded.push({ ids: previousIds, at: now });
    changed = true;
  }
  if (changed) await directory.replaceOne({ _id: partition }, dir, { upsert: true });
  return {
    partition,
    containers: new Set(fresh.map((d) => d.container)).size,
    deltas: fresh.length,
  };
}

/** Deletes what was folded or superseded more than `deletionGraceMs` ago (mutates `dir`). */
async function deleteExpired(
  dir: DirectoryDoc,
  deltas: Collection<RollupDeltaDoc>,
  compacted: Collection<CompactedDoc>,
  now: Date,
): Promise<boolean> {
  const expired = (at: Date) => now.getTime() - at.getTime() >= deletionGraceMs;
  const folded = dir.folded.filter((f) => expired(f.at));
  if (folded.length > 0) {
    const upTo = Math.max(...folded.map((f) => f.upTo));
    // Every delta with pos ≤ a finished run's checkpoint was folded by that run.
    await deltas.deleteMany({ pos: { $lte: upTo } });
    dir.folded = dir.folded.filter((f) => !expired(f.at));
  }
  const superseded = dir.superseded.filter((s) => expired(s.at));
  if (superseded.length > 0) {
    await compacted.deleteMany({ _id: { $in: superseded.flatMap((s) => s.ids) as never[] } });
    dir.superseded = dir.superseded.filter((s) => !expired(s.at));
  }
  return folded.length > 0 || superseded.length > 0;
}

/** Compacts every partition of the live generation at its checkpoint. */
export async function compactRollups(db: Db, now = new Date()) {
  const { generation, position } = await liveGeneration(db, trackRollups.name);
  const physical = (logical: string) => physicalName(logical, generation);
  const partitions = await deltaPartitions(db, physical(rollupFamily));
  const reports: PartitionReport[] = [];
  for (const partition of partitions) {
    reports.push(await compactPartition(db, physical, partition, position, now));
  }
  const touched = reports.filter((r) => r.deltas > 0);
  return {
    upTo: position,
    partitions: partitions.length,
    compacted: touched.length,
    deltasMerged: touched.reduce((s, r) => s + r.deltas, 0),
  };
}
