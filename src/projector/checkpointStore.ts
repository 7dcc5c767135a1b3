import type { Db } from 'mongodb';

/**
 * Where each projector keeps its place in the log. `position` is the last batch fully applied;
 * `pending` is the end of the batch being written. After a crash, the runtime replays exactly
 * the batch up to `pending` again, so guarded writes skip the documents it already touched.
 */
export type Checkpoint = { position: bigint; pending?: bigint };

type CheckpointDoc = { _id: string; position: number; pending?: number | null; updatedAt: Date };

export const checkpointsCollection = 'projector_checkpoints';

export function checkpointStore(db: Db) {
  const collection = db.collection<CheckpointDoc>(checkpointsCollection);
  return {
    async load(name: string): Promise<Checkpoint> {
      const doc = await collection.findOne({ _id: name });
      if (!doc) return { position: 0n };
      return {
        position: BigInt(doc.position),
        ...(doc.pending != null ? { pending: BigInt(doc.pending) } : {}),
      };
    },
    async store(name: string, checkpoint: Checkpoint): Promise<void> {
      await collection.updateOne(
        { _id: name },
        {
          $set: {
            position: Number(checkpoint.position),
            pending: checkpoint.pending !== undefined ? Number(checkpoint.pending) : null,
            updatedAt: new Date(),
          },
        },
        { upsert: true },
      );
    },
    async reset(name: string): Promise<void> {
      await collection.deleteOne({ _id: name });
    },
  };
}

export type CheckpointStore = ReturnType<typeof checkpointStore>;
