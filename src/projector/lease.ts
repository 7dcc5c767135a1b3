import { MongoServerError, type Db } from 'mongodb';
import type { WriteBudget } from '../mongo/writeBudget';

export const leasesCollection = 'leases';

type LeaseDoc = { _id: string; owner: string; expiresAt: Date; renewedAt: Date };

/**
 * Named leases in MongoDB, so that one instance among several runs a given projector or job.
 * Taking or renewing is one conditional upsert: it matches when the lease is ours or expired;
 * when another owner holds it the upsert collides on `_id` (duplicate key) and we lose.
 */
export function leases(db: Db, owner: string, budget: WriteBudget, clock: () => number = Date.now) {
  const collection = db.collection<LeaseDoc>(leasesCollection);
  return {
    owner,
    async acquire(name: string, ttlMs: number): Promise<boolean> {
      const now = new Date(clock());
      try {
        const take = () =>
          collection.findOneAndUpdate(
            { _id: name, $or: [{ owner }, { expiresAt: { $lt: now } }] },
            { $set: { owner, expiresAt: new Date(now.getTime() + ttlMs), renewedAt: now } },
            { upsert: true, returnDocument: 'after' },
          );
        const doc = await budget.command(1, take);
        return doc?.owner === owner;
      } catch (err) {
        if (err instanceof MongoServerError && err.code === 11000) return false;
        throw err;
      }
    },
    async release(name: string): Promise<void> {
      await budget.command(0, () => collection.deleteOne({ _id: name, owner }));
    },
  };
}

export type Leases = ReturnType<typeof leases>;
