import { hashListener } from '../../projections/lib/listenerSketch';
import { isStoredEventType, parseStoredEvent, trackStream } from '../events/stored';
import type { EventStore, RecordedEvent } from '../eventstore/eventStore';
import type { RoundTrips } from './roundTrips';
import type { RawEvent } from './tally';

type Entry = {
  /** In stream order, so positions increase. */
  events: RawEvent[];
  /** Next stream revision to read. */
  next: bigint;
  /** Serialises refreshes of one stream: concurrent requests share one read. */
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
 * index by event time, so each one is read once and kept (compactly, least recently used
 * evicted past `maxEvents`); every request then reads only what was appended since: one
 * round trip per track that usually returns nothing.
 */
export function trackStreamCache(store: EventStore, options: { maxEvents: number }) {
  const entries = new Map<string, Entry>();
  let held = 0;

  const evict = (keep: ReadonlySet<string>) => {
    for (const [trackId, entry] of entries) {
      if (held <= options.maxEvents) return;
      if (keep.has(trackId)) continue;
      entries.delete(trackId);
      held -= entry.events.length;
    }
  };

  async function refresh(trackId: string, entry: Entry): Promise<void> {
    let added = 0;
    for await (const e of store.readStream(trackStream(trackId), { fromRevision: entry.next })) {
      entry.next = e.revision + 1n;
      const raw = toRaw(e);
      if (raw) {
        entry.events.push(raw);
        added += 1;
      }
    }
    held += added;
  }

  return {
    /**
     * Every listener event of each track as of now, oldest append first. The arrays are
     * shared: callers must not modify them.
     */
    async read(
      trackIds: readonly string[],
      rt?: RoundTrips,
    ): Promise<Map<string, readonly RawEvent[]>> {
      const out = new Map<string, readonly RawEvent[]>();
      await Promise.all(
        trackIds.map(async (trackId) => {
          let entry = entries.get(trackId);
          if (entry) entries.delete(trackId); // re-insert: Map order is the LRU order
          entry ??= { events: [], next: 0n };
          entries.set(trackId, entry);
          while (entry.refreshing) await entry.refreshing;
          const e = entry;
          if (rt) rt.eventStore += 1;
          e.refreshing = refresh(trackId, e).finally(() => {
            e.refreshing = undefined;
          });
          await e.refreshing;
          out.set(trackId, e.events);
        }),
      );
      evict(new Set(trackIds));
      return out;
    },
    stats: () => ({ streams: entries.size, events: held }),
  };
}

export type TrackStreamCache = ReturnType<typeof trackStreamCache>;
