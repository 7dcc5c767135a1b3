import type {
  EventStore,
  LogPosition,
  LogSubscription,
  RecordedEvent,
} from '../eventstore/eventStore';
import type { Logger } from '../logger';

/**
 * One `$all` subscription shared by several in-process consumers (the live projectors, and any
 * other reader of the log that wants it). The event store client decodes each event once, not
 * once per consumer.
 *
 * `feed.subscribeToAll({ from, streamPrefixes })` has the event store's contract: the events
 * after `from` (exclusive; the start of the log without it), in log order, each once, then live
 * events; `caughtUp` resolves once the consumer has been handed everything up to the head at
 * the time (queued for it). Consumers join and leave at any time, at any position: the upstream subscription
 * starts at the lowest position anyone needs; a consumer joining behind it restarts it from
 * there (the others skip what they already have). Backpressure: the upstream waits while any
 * consumer has more than `highWater` events not yet taken. `streamPrefixes` must be the feed's.
 */
export type EventFeed = Pick<EventStore, 'subscribeToAll'> & {
  /** Consumers now attached. */
  consumers(): number;
  close(): Promise<void>;
};

const after = (a: LogPosition, b: LogPosition | undefined) =>
  b === undefined || a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare);

type Consumer = {
  /** Last position handed to this consumer (or its `from`): it needs everything after it. */
  last: LogPosition | undefined;
  queue: RecordedEvent[];
  head: number;
  closed: boolean;
  error?: unknown;
  wake?: () => void;
  caughtUp: () => void;
  /** Joined the current upstream (caughtUp of that upstream means caught up for it). */
  upstream?: Upstream;
  /** Joined behind the upstream's cursor: takes nothing until the upstream restarts. */
  behind: boolean;
};

type Upstream = {
  subscription: LogSubscription;
  /** Position of the last event read (or where it started). */
  cursor: LogPosition | undefined;
  stopped: boolean;
  caughtUp: boolean;
};

export function eventFeed(
  store: Pick<EventStore, 'subscribeToAll'>,
  options: { streamPrefixes: string[]; highWater?: number; logger?: Logger },
): EventFeed {
  const highWater = options.highWater ?? 20_000;
  const prefixes = [...options.streamPrefixes].sort().join('\n');
  const consumers = new Set<Consumer>();
  let upstream: Upstream | undefined;
  let resume: (() => void) | undefined;
  let scheduled = false;
  let closed = false;

  const pending = (c: Consumer) => c.queue.length - c.head;
  /** Checked after every event: a loop, not an array of the consumers each time. */
  const anyOverHighWater = () => {
    for (const c of consumers) if (pending(c) > highWater && !c.behind) return true;
    return false;
  };
  const wakeUpstream = () => {
    const r = resume;
    resume = undefined;
    r?.();
  };

  const start = (from: LogPosition | undefined) => {
    const subscription = store.subscribeToAll({
      ...(from ? { from } : {}),
      streamPrefixes: options.streamPrefixes,
    });
    const up: Upstream = { subscription, cursor: from, stopped: false, caughtUp: false };
    upstream = up;
    for (const c of consumers) {
      c.upstream = up;
      c.behind = false;
    }
    void subscription.caughtUp.then(() => {
      up.caughtUp = true;
      for (const c of consumers) if (c.upstream === up) c.caughtUp();
    });
    void (async () => {
      try {
        for await (const e of subscription) {
          if (up.stopped) break;
          up.cursor = e.position;
          for (const c of consumers) {
            if (c.behind || !after(e.position, c.last)) continue;
            c.queue.push(e);
            c.last = e.position;
            c.wake?.();
          }
          while (!up.stopped && anyOverHighWater()) {
            await new Promise<void>((r) => (resume = r));
          }
          if (up.stopped) break;
        }
      } catch (err) {
        if (up.stopped) return;
        options.logger?.error({ err }, 'shared $all subscription failed');
        for (const c of consumers) {
          if (c.upstream !== up) continue;
          c.error = err;
          c.wake?.();
        }
        if (upstream === up) upstream = undefined;
      }
    })();
  };

  const stopUpstream = async () => {
    const up = upstream;
    upstream = undefined;
    if (!up) return;
    up.stopped = true;
    wakeUpstream();
    await up.subscription.close().catch(() => undefined);
  };

  /** (Re)starts the upstream where the consumers need it; coalesced per tick. */
  const reconcile = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (closed) return;
      if (consumers.size === 0) {
        void stopUpstream();
        return;
      }
      if (upstream && ![...consumers].some((c) => c.behind)) return;
      let from: LogPosition | undefined;
      let fromStart = false;
      for (const c of consumers) {
        if (c.last === undefined) fromStart = true;
        else if (from === undefined || after(from, c.last)) from = c.last;
      }
      void stopUpstream();
      start(fromStart ? undefined : from);
    });
  };

  return {
    consumers: () => consumers.size,
    subscribeToAll({ from, streamPrefixes }): LogSubscription {
      if ([...streamPrefixes].sort().join('\n') !== prefixes)
        throw new Error(`this feed serves ${options.streamPrefixes.join(', ')} only`);
      if (closed) throw new Error('event feed closed');
      let resolveCaughtUp!: () => void;
      const caughtUp = new Promise<void>((r) => (resolveCaughtUp = r));
      const c: Consumer = {
        last: from && from.commit > 0n ? from : undefined,
        queue: [],
        head: 0,
        closed: false,
        caughtUp: resolveCaughtUp,
        behind: false,
      };
      const cursor = upstream?.cursor;
      c.behind = cursor !== undefined && (c.last === undefined || after(cursor, c.last));
      consumers.add(c);
      // Joining the running upstream at or past its cursor: caught up when it is (now, if
      // it already is). Joining behind it: when the restarted one is.
      if (upstream && !c.behind) {
        c.upstream = upstream;
        if (upstream.caughtUp) resolveCaughtUp();
      }
      reconcile();
      return {
        caughtUp,
        async close() {
          if (c.closed) return;
          c.closed = true;
          consumers.delete(c);
          c.wake?.();
          wakeUpstream();
          reconcile();
        },
        async *[Symbol.asyncIterator]() {
          for (;;) {
            if (c.closed) return;
            if (c.head < c.queue.length) {
              const e = c.queue[c.head]!;
              c.queue[c.head++] = undefined as never;
              if (c.head > 4096 && c.head * 2 > c.queue.length) {
                c.queue = c.queue.slice(c.head);
                c.head = 0;
              }
              if (pending(c) <= highWater / 2) wakeUpstream();
              yield e;
              continue;
            }
            if (c.error !== undefined) throw c.error;
            await new Promise<void>((r) => (c.wake = r));
            c.wake = undefined;
          }
        },
      };
    },
    async close() {
      closed = true;
      for (const c of consumers) {
        c.closed = true;
        c.wake?.();
      }
      consumers.clear();
      await stopUpstream();
    },
  };
}
