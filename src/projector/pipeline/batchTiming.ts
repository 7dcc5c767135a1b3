/**
 * When a partial batch is written (pure, so the rules are tested with a fake clock):
 * - while catching up, only full batches, or whatever is buffered once the log has been quiet
 *   for `catchUpQuietMs` (a slow or paced read would otherwise cut small batches, and a batch's
 *   cost is its document writes, not its events);
 * - once caught up, when the log has been quiet for `batchDelayMs` (a lone play is written at
 *   once), or when the oldest buffered event has waited `maxDelayMs` (steady load: fewer,
 *   larger batches).
 */
export type BatchTimingOptions = {
  batchDelayMs: number;
  maxDelayMs: number;
  catchUpQuietMs: number;
};

export type BufferTimes = {
  caughtUp: boolean;
  /** When the newest buffered event arrived. */
  lastArrival: number;
  /** When the oldest buffered event arrived. */
  firstArrival: number;
};

export type FlushDecision = 'quiet' | 'due' | 'wait';

export function flushDecision(now: number, t: BufferTimes, o: BatchTimingOptions): FlushDecision {
  if (now - t.lastArrival >= (t.caughtUp ? o.batchDelayMs : o.catchUpQuietMs)) return 'quiet';
  if (t.caughtUp && now - t.firstArrival >= o.maxDelayMs) return 'due';
  return 'wait';
}

/**
 * Most events in the next batch: big batches while catching up, and whenever a backlog has
 * built up (the feed reports caught up while events may still be queued for this projector).
 */
export function batchSizeFor(
  caughtUp: boolean,
  buffered: number,
  sizes: { batchSize: number; catchUpBatchSize?: number },
): number {
  return caughtUp && buffered <= sizes.batchSize
    ? sizes.batchSize
    : (sizes.catchUpBatchSize ?? sizes.batchSize);
}
