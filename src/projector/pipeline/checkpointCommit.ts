import type { LogPosition } from '../../eventstore/eventStore';
import type { Checkpoint } from '../../readModels/checkpointStore';

export type CheckpointWriter = {
  store(id: string, checkpoint: Checkpoint, applied?: number): Promise<void>;
};

/**
 * Writes one batch between two checkpoint writes, which is what makes it exactly-once without
 * transactions: first the intent (`pending` = the batch's end, so a crash replays exactly this
 * batch), then the batch, then the commit (position = the batch's end). A failed write commits
 * nothing; the intent stays for the replay.
 */
export async function commitBatch<T>(deps: {
  checkpoints: CheckpointWriter;
  checkpointId: string;
  /** Where the checkpoint is now (the start of this batch). */
  from: LogPosition;
  /** The batch's last event. */
  end: LogPosition;
  /** Events of the batch this projection handled (for events/s). */
  handled: number;
  write: () => Promise<T>;
}): Promise<T> {
  const { checkpoints, checkpointId, from, end } = deps;
  await checkpoints.store(checkpointId, {
    position: from.commit,
    prepare: from.prepare,
    pending: end.commit,
  });
  const result = await deps.write();
  await checkpoints.store(
    checkpointId,
    { position: end.commit, prepare: end.prepare },
    deps.handled,
  );
  return result;
}
