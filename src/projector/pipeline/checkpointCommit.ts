import type { LogPosition } from '../../eventstore/eventStore';
import type { Checkpoint } from '../../readModels/checkpointStore';

export type CheckpointWriter = {
  swap(id: string, expected: Checkpoint, next: Checkpoint, applied?: number): Promise<boolean>;
};

/** Another writer moved the checkpoint: this projector instance no longer owns it. */
export class CheckpointMovedError extends Error {
  constructor(checkpointId: string) {
    super(`checkpoint ${checkpointId} was moved by another projector instance`);
    this.name = 'CheckpointMovedError';
  }
}

/**
 * Writes one batch between two checkpoint writes, which is what makes it exactly-once without
 * transactions: first the intent (`pending` = the batch's end, so a crash replays exactly this
 * batch), then the batch, then the commit (position = the batch's end). A failed write commits
 * nothing; the intent stays for the replay.
 *
 * Both checkpoint writes are compare-and-set against what this instance last stored (`stored`):
 * should another instance have taken over (its lease, while this one has not noticed yet), the
 * intent fails before anything is written and `CheckpointMovedError` is thrown. Two instances
 * can only both write a batch when it is the very same batch (same start, same end: the replay
 * of an interrupted batch), whose writes are idempotent.
 */
export async function commitBatch<T>(deps: {
  checkpoints: CheckpointWriter;
  checkpointId: string;
  /** What this instance last stored (or loaded): the document must still hold it. */
  stored: Checkpoint;
  /** Where the checkpoint is now (the start of this batch). */
  from: LogPosition;
  /** The batch's last event. */
  end: LogPosition;
  /** Events of the batch this projection handled (for events/s). */
  handled: number;
  write: () => Promise<T>;
}): Promise<{ result: T; stored: Checkpoint }> {
  const { checkpoints, checkpointId, from, end } = deps;
  const intent = { position: from.commit, prepare: from.prepare, pending: end.commit };
  if (!(await checkpoints.swap(checkpointId, deps.stored, intent))) {
    throw new CheckpointMovedError(checkpointId);
  }
  const result = await deps.write();
  const committed = { position: end.commit, prepare: end.prepare };
  if (!(await checkpoints.swap(checkpointId, intent, committed, deps.handled))) {
    throw new CheckpointMovedError(checkpointId);
  }
  return { result, stored: committed };
}
