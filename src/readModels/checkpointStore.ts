import { MongoServerError, type Db } from 'mongodb';
import type { WriteBudget } from '../mongo/writeBudget';

/**
 * Where each projector generation keeps its place in the log. `position` is the commit position
 * of the last event of the last batch fully applied, `prepare` that event's prepare position
 * (the subscription resumes right after it); `pending` is the commit position ending the batch
 * being written. After a crash, the runtime replays exactly the batch up to `pending` again, so
 * guarded writes skip the documents it already touched.
 */
export type Checkpoint = { position: bigint; prepare?: bigint; pending?: bigint };

export type CheckpointDoc = {
  _id: string;
  position: number;
  prepare?: number;
  pending?: number | null;
  /** Events applied by this generation in all (for events/s from two readings). */
  eventsApplied?: number;
  updatedAt: Date;
};

export const checkpointsCollection = 'projector_checkpoints';

/** The fields a checkpoint write sets. */
const stored = (c: Checkpoint) => ({
  position: Number(c.position),
  prepare: Number(c.prepare ?? c.position),
  pending: c.pending !== undefined ? Number(c.pending) : null,
  updatedAt: new Date(),
});

/** Writes (`store`, `reset`) need the process's `budget`; without one the store only reads. */
export function checkpointStore(db: Db, budget?: WriteBudget) {
  const collection = db.collection<CheckpointDoc>(checkpointsCollection);
  const writes = (): WriteBudget => {
    if (!budget) throw new Error('checkpointStore was built without a WriteBudget: read only');
    return budget;
  };
  return {
    async load(id: string): Promise<Checkpoint> {
      const doc = await collection.findOne({ _id: id });
      if (!doc) return { position: 0n };
      return {
        position: BigInt(doc.position),
        ...(doc.prepare != null ? { prepare: BigInt(doc.prepare) } : {}),
        ...(doc.pending != null ? { pending: BigInt(doc.pending) } : {}),
      };
    },
    async store(id: string, checkpoint: Checkpoint, applied = 0): Promise<void> {
      const write = () =>
        collection.updateOne(
          { _id: id },
          {
            $inc: { eventsApplied: applied },
            $set: stored(checkpoint),
          },
          { upsert: true },
        );
      await writes().command(1, write);
    },
    /**
     * Compare-and-set: writes `next` only where the document still holds `expected` (its
     * position and pending batch end; absent when `expected` is the start of the log). False
     * when another writer moved it first: two projector instances that both believe they hold
     * a lease (one has not noticed it expired) can never both write a batch from one place.
     */
    async swap(id: string, expected: Checkpoint, next: Checkpoint, applied = 0): Promise<boolean> {
      const filter = {
        _id: id,
        position: Number(expected.position),
        pending: expected.pending !== undefined ? Number(expected.pending) : null,
      };
      const write = () =>
        collection.updateOne(
          filter,
          {
            $inc: { eventsApplied: applied },
            $set: stored(next),
          },
          // The first write of a generation creates its document; where one exists but holds
          // something else, the upsert collides on `_id` instead.
          { upsert: expected.position === 0n && expected.pending === undefined },
        );
      try {
        const r = await writes().command(1, write);
        return r.matchedCount + r.upsertedCount === 1;
      } catch (err) {
        if (err instanceof MongoServerError && err.code === 11000) return false;
        throw err;
      }
    },
    async read(id: string): Promise<CheckpointDoc | null> {
      return collection.findOne({ _id: id });
    },
    async reset(id: string): Promise<void> {
      await writes().command(0, () => collection.deleteOne({ _id: id }));
    },
  };
}

export type CheckpointStore = ReturnType<typeof checkpointStore>;
