import { isStoredEventType, trackStreamPrefix, type TrackEvent } from '../events/stored';
import type { EventStore, LogPosition, LogSubscription } from '../eventstore/eventStore';
import type { Logger } from '../logger';
import { toTrackEvent } from '../projector/projector';

/**
 * The events of the log past the rollups' checkpoint, kept in memory for the queries: what no
 * rollup covers yet. A live `$all` subscription (track streams) started at the checkpoint
 * appends to it; `prune(checkpoint)` drops what the rollups now hold, so it holds the
 * projector's lag, never the history. Requests read `after(checkpoint)`.
 */
export function logTail(
  store: Pick<EventStore, 'subscribeToAll'>,
  options: {
    logger: Logger;
    /** Called for every event in log order (the catalog view follows catalog events here). */
    onEvent?: (e: TrackEvent) => void;
    /** Beyond this many events held, the oldest are dropped and `complete` turns false. */
    maxEvents: number;
  },
) {
  let events: TrackEvent[] = [];
  let start = -1n;
  let subscription: LogSubscription | undefined;
  let running: Promise<void> | undefined;
  let overflowed = false;
  let caughtUp = false;

  async function consume(sub: LogSubscription) {
    for await (const e of sub) {
      if (!isStoredEventType(e.type)) continue;
      let event: TrackEvent;
      try {
        event = toTrackEvent(e);
      } catch (err) {
        options.logger.warn({ err, position: String(e.position.commit) }, 'tail: unparsable event');
        continue;
      }
      events.push(event);
      options.onEvent?.(event);
      // Dropped in chunks (a tenth at a time), not one by one.
      if (events.length > options.maxEvents * 1.1) {
        events = events.slice(events.length - options.maxEvents);
        start = events[0]!.position - 1n;
        overflowed = true;
      }
    }
  }

  /** Index of the first event with position > p (events are in log order). */
  const firstAfter = (p: bigint) => {
    let lo = 0;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (events[mid]!.position > p) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };

  return {
    /**
     * (Re)starts the subscription right after `from` and resolves once it has caught up, or
     * after `waitMs` while it still reads a backlog (it goes on reading; `caughtUp()` tells).
     */
    async start(from: LogPosition | undefined, waitMs = Infinity): Promise<void> {
      await this.close();
      events = [];
      overflowed = false;
      caughtUp = false;
      start = from?.commit ?? -1n;
      const sub = store.subscribeToAll({
        ...(from && from.commit > 0n ? { from } : {}),
        streamPrefixes: [trackStreamPrefix],
      });
      subscription = sub;
      running = consume(sub).catch((err: unknown) =>
        options.logger.error({ err }, 'tail subscription stopped'),
      );
      const reached = sub.caughtUp.then(() => {
        if (subscription === sub) caughtUp = true;
      });
      if (!Number.isFinite(waitMs)) return reached;
      // A failure after the wait is the subscription's: `consume` logs it.
      reached.catch(() => {});
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([reached, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
      clearTimeout(timer);
    },
    /** Whether the subscription has read the log up to its head as of its start. */
    caughtUp: () => caughtUp,
    /** Whether every event after `position` is held. */
    covers(position: number): boolean {
      return BigInt(position) >= start;
    },
    /**
     * Whether the oldest events were dropped (more than `maxEvents` past the checkpoint: the
     * projector is far behind). Cleared once the checkpoint passes what was dropped.
     */
    overflowed: () => overflowed,
    /** Events with commit position > `position`, in log order (do not mutate). */
    after(position: number): readonly TrackEvent[] {
      const i = firstAfter(BigInt(position));
      return i === 0 ? events : events.slice(i);
    },
    /** Drops the events at or before `position` (the rollups hold them now). */
    prune(position: number): void {
      const p = BigInt(position);
      if (p <= start) return;
      events = events.slice(firstAfter(p));
      start = p;
      overflowed = false;
    },
    async close(): Promise<void> {
      await subscription?.close();
      await running;
      subscription = undefined;
      running = undefined;
    },
  };
}

export type LogTail = ReturnType<typeof logTail>;
