import type { Db } from 'mongodb';
import type { WriteBudget } from '../mongo/writeBudget';
import { checkpointsCollection } from '../readModels/checkpointStore';
import { pointersCollection, type ReadModelPointer, dropCollections } from '../readModels/pointers';

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
