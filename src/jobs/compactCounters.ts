import type { Db } from 'mongodb';
import { encodeKey } from '../../projections/lib/rollupStats';
import {
  counterCompactedId,
  foldCounters,
  trackCounters,
  trackCountersCollection,
  type TrackCountersDoc,
} from '../../projections/trackCounters';
import { replaceCompacted } from './replaceCompacted';
import type { WriteBudget } from '../mongo/writeBudget';
import { liveGeneration, physicalName } from '../readModels/pointers';
import type { CompactionReport } from './replaceCompacted';

/**
 * Folds counter deltas into one compacted document per shard (`c|<shard>|<upTo>`), the same
 * way as `compactRollups`: insert the new version, then delete the deltas it merged and the
 * older version; never update. Readers (`foldCounters`) take the newest compacted version and
 * ignore deltas with `pos ≤ upTo`, so every intermediate state reads the same. Only deltas at
 * or below the projector's checkpoint are merged; twice, or on two instances, is harmless.
 */
export async function compactCounters(db: Db, budget: WriteBudget): Promise<CompactionReport> {
  const { generation, position: upTo } = await liveGeneration(db, trackCounters.name);
  const collection = db.collection<TrackCountersDoc>(
    physicalName(trackCountersCollection, generation),
  );
  const deltas = await collection.find({ kind: 'delta', pos: { $lte: upTo } }).toArray();
  if (deltas.length === 0) return { groups: 0, deltasMerged: 0, documentsDeleted: 0, upTo };
  const shards = [...new Set(deltas.map((d) => d.shard))];
  const compacted = await collection.find({ kind: 'compacted', shard: { $in: shards } }).toArray();
  // A shard already compacted at or past this upTo (a concurrent run) is left to that run.
  const ahead = new Set(compacted.filter((d) => (d.upTo ?? 0) >= upTo).map((d) => d.shard));
  const docs = [...compacted, ...deltas].filter((d) => !ahead.has(d.shard));
  const inserts: TrackCountersDoc[] = [];
  for (const shard of shards) {
    if (ahead.has(shard)) continue;
    const counts = foldCounters(
      docs.filter((d) => d.shard === shard),
      upTo,
    );
    inserts.push({
      _id: counterCompactedId(shard, upTo),
      kind: 'compacted',
      shard,
      upTo,
      tracks: Object.fromEntries([...counts].map(([id, c]) => [encodeKey(id), c])),
    });
  }
  return replaceCompacted(collection, inserts, docs, {
    deltasMerged: deltas.length,
    upTo,
    insertChunk: 100,
    budget,
  });
}
