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
 * Every track's cells in one partition at `checkpoint`, all containers merged (a track's cells
 * in several containers are disjoint). For jobs: one read of the partition's compacted
 * documents and one of its deltas, both bounded by the partition.
 */
export async function partitionContents(
  db: Db,
  physical: (logical: string) => string,
  partition: string,
  checkpoint: number,
): Promise<TrackCells> {
  const dir = await db
    .collection<DirectoryDoc>(physical(directoryCollection))
    .findOne({ _id: partition });
  const upTo = new Map(Object.entries(dir?.containers ?? {}));
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
      .find({ pos: { $lte: checkpoint } })
      .toArray(),
  ]);
  const fresh = deltas.filter((d) => d.pos > (upTo.get(containerField(d.container)) ?? -1));
  return mergeCells([...bases, ...fresh].map((d) => unpackCells(d.cellsJson)));
}
