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
  /** When the last read of what was appended finished (ms). */
  readAt: number;
  /** The stream's start was deleted (retention): its raw events are not the whole history. */
  truncated?: boolean;
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
 * index by event time, so each one is read once and kept (compactly, least recently used
 * evicted past `maxEvents`); every request then reads only what was appended since: one
 * round trip per track that usually returns nothing.
 */
export function trackStreamCache(
  store: EventStore,
  options: {
    maxEvents: number;
    /**
     * A stream read less than this long ago is not read again: answers may miss events
     * appended in the last `freshMs` (bounded staleness), in exchange for no round trip.
     */
    freshMs: number;
    clock?: () => number;
  },
) {
  const clock = options.clock ?? Date.now;
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
    const started = clock();
    let added = 0;
    for await (const e of store.readStream(trackStream(trackId), { fromRevision: entry.next })) {
      if (entry.next === 0n && entry.events.length === 0 && e.revision > 0n) entry.truncated = true;
      entry.next = e.revision + 1n;
      const raw = toRaw(e);
      if (raw) {
        entry.events.push(raw);
        added += 1;
      }
    }
    entry.readAt = started;
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
          entry ??= { events: [], next: 0n, readAt: -Infinity };
          entries.set(trackId, entry);
          while (entry.refreshing) await entry.refreshing;
          const e = entry;
          if (clock() - e.readAt < options.freshMs) {
            out.set(trackId, e.events);
            return;
          }
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
    /** Whether every event of the track is in the stream (none removed by retention). */
    complete: (trackId: string): boolean => entries.get(trackId)?.truncated !== true,
    stats: () => ({ streams: entries.size, events: held }),
  };
}

export type TrackStreamCache = ReturnType<typeof trackStreamCache>;
