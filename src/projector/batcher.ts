import type { LogPosition } from '../eventstore/eventStore';

/**
 * Where the next batch ends: the number of events at the front of `buffer` to apply now
 * (0 = wait for more). Pure, so the cut rules are unit-tested on their own.
 *
 * - A batch never splits events that share a commit position (one multi-event append may
 *   share one commit position in EventStoreDB): the `_pos` guard and the checkpoint compare
 *   commit positions, so a split group would be half-skipped on the next batch.
 * - `forcedCut` (the `pending` of a crashed batch): the first batch ends exactly after the
 *   last event with commit ≤ forcedCut, so insert ids and guards reproduce the crashed batch.
 * - Otherwise a batch takes up to `maxEvents`, extended to the end of its commit group. When
 *   it would take the whole buffer, a trailing group that may still be arriving (prepare <
 *   commit: part of a multi-event transaction) is held back unless the log has been `quiet`.
 */
export function batchLength(
  buffer: readonly { position: LogPosition }[],
  options: { maxEvents: number; forcedCut?: bigint; quiet: boolean },
): number {
  const n = buffer.length;
  if (n === 0) return 0;
  const commit = (i: number) => buffer[i]!.position.commit;
  if (options.forcedCut !== undefined) {
    const cut = options.forcedCut;
    let k = 0;
    while (k < n && commit(k) <= cut) k++;
    if (k < n) return k; // an event past the cut has arrived: the crashed batch is complete
    return options.quiet && commit(n - 1) >= cut ? n : 0;
  }
  let k = Math.min(n, options.maxEvents);
  while (k < n && commit(k) === commit(k - 1)) k++;
  if (k < n) return k;
  const last = buffer[n - 1]!.position;
  if (options.quiet || last.prepare >= last.commit) return n;
  let start = n - 1;
  while (start > 0 && commit(start - 1) === last.commit) start--;
  return start;
}
