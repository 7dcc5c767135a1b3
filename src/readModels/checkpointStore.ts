import type { Db } from 'mongodb';
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
            $set: {
              position: Number(checkpoint.position),
              prepare: Number(checkpoint.prepare ?? checkpoint.position),
              pending: checkpoint.pending !== undefined ? Number(checkpoint.pending) : null,
              updatedAt: new Date(),
            },
          },
          { upsert: true },
        );
      await writes().command(1, write);
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
