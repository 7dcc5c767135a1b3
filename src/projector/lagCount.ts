import { trackStreamPrefix } from '../events/stored';
import type { EventStore } from '../eventstore/eventStore';

/**
 * Exact lag of a checkpoint: the events of our streams after `position`, up to the current
 * head, and the creation time of the oldest of them. Reads them all (O(lag)): for the status
 * CLI and route, not for every metrics scrape.
 */
export async function countLag(
  store: EventStore,
  position: bigint,
  limit = 5_000_000,
): Promise<{ events: number; oldest?: Date; head?: bigint; capped: boolean }> {
  const head = await store.headPosition([trackStreamPrefix]);
  if (!head || head.commit <= position)
    return { events: 0, capped: false, ...(head ? { head: head.commit } : {}) };
  const subscription = store.subscribeToAll({
    from: position > 0n ? { commit: position, prepare: position } : undefined,
    streamPrefixes: [trackStreamPrefix],
  });
  let events = 0;
  let oldest: Date | undefined;
  try {
    for await (const e of subscription) {
      if (e.position.commit <= position) continue;
      oldest ??= e.created;
      events++;
      if (e.position.commit >= head.commit || events >= limit) break;
    }
  } finally {
    await subscription.close();
  }
  return { events, head: head.commit, capped: events >= limit, ...(oldest ? { oldest } : {}) };
}
