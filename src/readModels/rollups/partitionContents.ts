import type { Db } from 'mongodb';
import { mergeCells, type TrackCells } from '../../../projections/lib/rollupCells';
import { decodeKey } from '../../../projections/lib/rollupStats';
import {
  compactedCollection,
  deltaCollection,
  directoryCollection,
} from '../../../projections/trackRollups';
import {
  containerField,
  type CompactedDoc,
  type DirectoryDoc,
  type RollupDeltaDoc,
} from './documents';
import { unpackCells } from './packing';

/**
 * Every track's cells in one partition at `checkpoint` or later, all containers merged (a
 * track's cells in several containers are disjoint). For jobs: one read of the partition's
 * compacted documents and one of its deltas, both bounded by the partition.
 *
 * `position` is what the cells hold: `checkpoint`, or the newest compaction's if a compaction
 * ran past it since the caller read the checkpoint (its versions cannot be taken apart); every
 * delta up to it is read too. Callers comparing with the log compare at `position`.
 */
export async function partitionContentsAt(
  db: Db,
  physical: (logical: string) => string,
  partition: string,
  checkpoint: number,
): Promise<{ cells: TrackCells; position: number }> {
  const dir = await db
    .collection<DirectoryDoc>(physical(directoryCollection))
    .findOne({ _id: partition });
  const upTo = new Map(Object.entries(dir?.containers ?? {}));
  // A compaction at X folded every delta with pos <= X, of every container of the partition.
  const position = [...upTo.values()].reduce((a, b) => Math.max(a, b), checkpoint);
  const ids = [...upTo].map(([field, u]) => `${decodeKey(field)}|c${u}`);
  const [bases, deltas] = await Promise.all([
    ids.length
      ? db
          .collection<CompactedDoc>(physical(compactedCollection(partition)))
          .find({ _id: { $in: ids } })
          .toArray()
      : [],
    db
      .collection<RollupDeltaDoc>(physical(deltaCollection(partition)))
      .find({ pos: { $lte: position } })
      .toArray(),
  ]);
  const fresh = deltas.filter((d) => d.pos > (upTo.get(containerField(d.container)) ?? -1));
  return { cells: mergeCells([...bases, ...fresh].map((d) => unpackCells(d.cellsJson))), position };
}

/** The cells of `partitionContentsAt` (at `checkpoint`, or past it where compaction is). */
export async function partitionContents(
  db: Db,
  physical: (logical: string) => string,
  partition: string,
  checkpoint: number,
): Promise<TrackCells> {
  return (await partitionContentsAt(db, physical, partition, checkpoint)).cells;
}
