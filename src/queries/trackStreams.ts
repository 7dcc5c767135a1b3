import { hashListener } from '../../projections/lib/listenerSketch';
import {
  isStoredEventType,
  parseStoredEvent,
  trackStream,
  trackStreamPrefix,
} from '../events/stored';
import type { EventStore, LogSubscription, RecordedEvent } from '../eventstore/eventStore';
import type { RoundTrips } from './roundTrips';
import type { RawEvent } from './tally';
import { TrackEvents } from './trackEvents';

type Entry = {
  /** Listener events in stream order (positions increase), and by event time. */
  events: TrackEvents;
  /** Next stream revision expected. */
  next: bigint;
  /** Must be read from the store again before use (a gap was seen, or never read). */
  stale: boolean;
  /** The stream's start was deleted (retention): its raw events are not the whole history. */
  truncated?: boolean;
  /** Events the live subscription delivered while the stream was being read. */
  buffered?: RecordedEvent[];
  refreshing?: Promise<void>;
};

function toRaw(e: RecordedEvent): RawEvent | undefined {
  if (!isStoredEventType(e.type) || e.type === 'TrackRegistered' || e.type === 'TrackUpdated') {
    return undefined;
  }
  // Events read from the store are validated like any other boundary (STYLE: zod everywhere).
  const data = parseStoredEvent(e.type, e.data) as Record<string, unknown>;
  const key =
    e.type === 'TrackPlayed'
      ? data.source
      : e.type === 'TrackShared'
        ? data.platform
        : e.type === 'TrackSaved' || e.type === 'TrackUnsaved'
          ? data.playlistId
          : undefined;
  return {
    id: e.id,
    at: Date.parse(data.occurredAt as string),
    pos: Number(e.position.commit),
    type: e.type,
    listener: hashListener(data.listenerId as string),
    durationSeconds: (data.durationSeconds as number | undefined) ?? 0,
    completionRate: (data.completionRate as number | undefined) ?? 0,
    replayed: data.replayed === true,
    ...(typeof key === 'string' ? { key } : {}),
  };
}

/**
 * Raw replay of `track-<id>` streams through the EventStore port, for what the rollups do not
 * cover (ragged edges, the open hour, events past the rollups' checkpoint). A stream has no
 * index by event time, so each one is read once and kept (compactly; least recently used
 * evicted past `maxEvents`), then kept current by one live subscription to the log. A request
 * checks the head of the log (one round trip, skipped if done less than `freshMs` ago) and
 * waits until the subscription has delivered it: answers include every event appended before
 * the request (or before the last check, at most `freshMs` earlier). If the subscription
 * lags, the streams are read directly instead.
 */
export function trackStreamCache(
  store: EventStore,
  options: {
    maxEvents: number;
    freshMs: number;
    clock?: () => number;
    lagWaitMs?: number;
    /** Called when the live subscription sees a catalog event (track registered/updated). */
    onCatalogEvent?: () => void;
  },
) {
  const clock = options.clock ?? Date.now;
  const entries = new Map<string, Entry>();
  let held = 0;
  let seen = -1n; // commit position of the last event the subscription delivered
  let checkedAt = -Infinity;
  let subscription: LogSubscription | undefined;
  let consuming: Promise<void> | undefined;
  let starting: Promise<void> | undefined;

  const append = (entry: Entry, e: RecordedEvent) => {
    if (e.revision < entry.next) return; // already have it
    if (e.revision > entry.next) {
      entry.stale = true; // a gap: read the stream again before using it
      return;
    }
    entry.next = e.revision + 1n;
    const raw = toRaw(e);
    if (raw) {
      entry.events.push(raw);
      held += 1;
    }
  };

  async function refresh(trackId: string, entry: Entry): Promise<void> {
    entry.buffered = [];
    try {
      for await (const e of store.readStream(trackStream(trackId), { fromRevision: entry.next })) {
        if (entry.next === 0n && entry.events.size === 0 && e.revision > 0n) {
          entry.truncated = true;
          entry.next = e.revision;
        }
        append(entry, e);
      }
      entry.stale = false;
      for (const e of entry.buffered) append(entry, e);
    } finally {
      entry.buffered = undefined;
    }
  }

  const evict = (keep: ReadonlySet<string>) => {
    for (const [trackId, entry] of entries) {
      if (held <= options.maxEvents) return;
      if (keep.has(trackId)) continue;
      entries.delete(trackId);
      held -= entry.events.size;
    }
  };

  /**
   * Has the subscription delivered everything appended so far? One round trip at most, shared
   * by the requests that arrive while it is under way (they all started before it returned).
   */
  let checking: Promise<boolean> | undefined;
  async function upToDate(rt?: RoundTrips): Promise<boolean> {
    if (!subscription) return false;
    if (clock() - checkedAt < options.freshMs) return true;
    if (checking) return checking;
    const started = clock();
    if (rt) rt.eventStore += 1;
    const result = (async () => {
      const head = (await store.headPosition([trackStreamPrefix]))?.commit ?? -1n;
      const deadline = Date.now() + (options.lagWaitMs ?? 100);
      while (seen < head && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      if (seen < head) return false;
      checkedAt = started;
      return true;
    })().finally(() => {
      checking = undefined;
    });
    checking = result;
    return result;
  }

  /** Starts the live subscription from the head of the log (events before are read per stream). */
  async function start(): Promise<void> {
    const from = await store.headPosition([trackStreamPrefix]);
    seen = from?.commit ?? -1n;
    subscription = store.subscribeToAll({
      ...(from ? { from } : {}),
      streamPrefixes: [trackStreamPrefix],
    });
    const sub = subscription;
    consuming = (async () => {
      for await (const e of sub) {
        if (e.type === 'TrackRegistered' || e.type === 'TrackUpdated') options.onCatalogEvent?.();
        const entry = entries.get(e.stream.slice(trackStreamPrefix.length));
        if (entry?.buffered) entry.buffered.push(e);
        else if (entry && !entry.stale) append(entry, e);
        seen = e.position.commit;
      }
    })().catch(() => {
      subscription = undefined; // fall back to reading the streams on every request
    });
  }

  return {
    async stop(): Promise<void> {
      const sub = subscription;
      subscription = undefined;
      await sub?.close();
      await consuming;
    },

    /**
     * Every listener event of each track (append order and time order). Shared: callers must
     * not modify them.
     */
    async read(trackIds: readonly string[], rt?: RoundTrips): Promise<Map<string, TrackEvents>> {
      // Started by the first read; the service's event-store client closes it on shutdown.
      starting ??= start().catch(() => undefined);
      await starting;
      const live = await upToDate(rt);
      const out = new Map<string, TrackEvents>();
      await Promise.all(
        trackIds.map(async (trackId) => {
          let entry = entries.get(trackId);
          if (entry) entries.delete(trackId); // re-insert: Map order is the LRU order
          entry ??= { events: new TrackEvents(), next: 0n, stale: true };
          entries.set(trackId, entry);
          while (entry.refreshing) await entry.refreshing;
          if (entry.stale || !live) {
            const e = entry;
            if (rt) rt.eventStore += 1;
            e.refreshing = refresh(trackId, e).finally(() => {
              e.refreshing = undefined;
            });
            await e.refreshing;
          }
          out.set(trackId, entry.events);
        }),
      );
      evict(new Set(trackIds));
      return out;
    },

    /** Whether every event of the track is in the stream (none removed by retention). */
    complete: (trackId: string): boolean => entries.get(trackId)?.truncated !== true,
    stats: () => ({ streams: entries.size, events: held, live: subscription !== undefined }),
  };
}

export type TrackStreamCache = ReturnType<typeof trackStreamCache>;
