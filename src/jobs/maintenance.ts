import type { Db } from 'mongodb';
import type { WriteBudget } from '../mongo/writeBudget';
import {
  recentActivity,
  recentActivityCollection,
  recentLikesKept,
  recentPlaysKept,
} from '../../projections/recentActivity';
import { checkpointsCollection } from '../readModels/checkpointStore';
import {
  loadPointer,
  physicalName,
  pointersCollection,
  type ReadModelPointer,
  dropCollections,
} from '../readModels/pointers';
import type { RecentActivityDoc } from '../readModels/recentActivity';

/**
 * Drops generations swapped out more than `graceMs` ago (readers may hold the old name for a
 * while after a swap). Idempotent: dropping is by name, the pointer entry is pulled after.
 */
export async function dropRetiredGenerations(
  db: Db,
  budget: WriteBudget,
  graceMs: number,
  now = new Date(),
): Promise<string[]> {
  const dropped: string[] = [];
  const pointers = await db.collection<ReadModelPointer>(pointersCollection).find({}).toArray();
  for (const p of pointers) {
    for (const r of p.retired ?? []) {
      if (r.retiredAt.getTime() > now.getTime() - graceMs || r.generation === p.generation)
        continue;
      dropped.push(...(await dropCollections(db, r.collections)));
      await budget.command(0, () =>
        db.collection<{ _id: string }>(checkpointsCollection).deleteOne({ _id: r.checkpointId }),
      );
      // The entry exactly as read: FerretDB 1.24's `$pull` matches whole elements only (a
      // condition such as `{ generation }` removes nothing there); MongoDB matches it too.
      await budget.command(1, () =>
        db
          .collection<ReadModelPointer>(pointersCollection)
          .updateOne({ _id: p._id }, { $pull: { retired: r } }),
      );
    }
  }
  return dropped;
}

/**
 * Deletes recent-activity documents that hold none of their track's newest plays or likes
 * (the newest `recentPlaysKept` documents by `lastPlayAt` and `recentLikesKept` by
 * `lastLikeAt` always contain them). Idempotent; a concurrent run deletes the same ids.
 */
export async function pruneRecentActivity(db: Db, budget: WriteBudget): Promise<number> {
  const generation = (await loadPointer(db, recentActivity.name))?.generation ?? 0;
  const collection = db.collection<RecentActivityDoc>(
    physicalName(recentActivityCollection, generation),
  );
  const counts = await collection
    .aggregate<{ _id: string; n: number }>([{ $group: { _id: '$trackId', n: { $sum: 1 } } }])
    .toArray();
  let deleted = 0;
  for (const { _id: trackId, n } of counts) {
    if (n <= recentPlaysKept + recentLikesKept) continue;
    const keep = new Set<string>();
    for (const [field, limit] of [
      ['lastPlayAt', recentPlaysKept],
      ['lastLikeAt', recentLikesKept],
    ] as const) {
      const docs = await collection
        .find({ trackId, [field]: { $exists: true } }, { projection: { _id: 1 } })
        .sort({ [field]: -1 })
        .limit(limit)
        .toArray();
      for (const d of docs) keep.add(d._id);
    }
    const remove = () => collection.deleteMany({ trackId, _id: { $nin: [...keep] } });
    deleted += (await budget.command(0, remove)).deletedCount;
  }
  return deleted;
}
