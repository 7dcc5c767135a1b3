import type { StoredEventData, StoredEventType } from '../../events/stored';
import type { NewEvent } from '../../eventstore/eventStore';

/**
 * A deterministic synthetic history (the benchmark data set and the crash test's log): tracks
 * with Zipf-like popularity spread over artists, listeners with Zipf-like activity, events in
 * time order over [from, to). Same seed, same events (ids included).
 */
export type SyntheticLogOptions = {
  events: number;
  tracks: number;
  artists: number;
  listeners: number;
  from: Date;
  to: Date;
  seed?: number;
  /** Share of tracks whose catalog event comes after their first plays. */
  lateCatalogShare?: number;
};

export type SyntheticEvent = { stream: string; event: NewEvent & { type: StoredEventType } };

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cumulative weights 1/(rank+1)^s, for sampling with a binary search. */
function zipf(n: number, s: number): number[] {
  const cumulative: number[] = [];
  let sum = 0;
  for (let i = 0; i < n; i++) cumulative.push((sum += 1 / (i + 1) ** s));
  return cumulative.map((c) => c / sum);
}

function pick(cumulative: readonly number[], r: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const kinds: [StoredEventType, number][] = [
  ['TrackPlayed', 0.7],
  ['TrackSkipped', 0.12],
  ['TrackLiked', 0.06],
  ['TrackUnliked', 0.01],
  ['TrackSaved', 0.04],
  ['TrackUnsaved', 0.01],
  ['TrackShared', 0.03],
  ['TrackDownloaded', 0.03],
];
const kindCumulative = kinds.reduce<number[]>((acc, [, w]) => [...acc, (acc.at(-1) ?? 0) + w], []);
const sources = ['landing', 'playlist', 'search', 'direct', 'share', 'player'] as const;
const platforms = ['twitter', 'facebook', 'instagram', 'whatsapp', 'copy_link', 'embed'] as const;

export const syntheticTrackId = (i: number) => `trk${String(i).padStart(5, '0')}`;
export const syntheticArtistId = (i: number) => `art${String(i).padStart(4, '0')}`;

/** Generates the log lazily, in time order. */
export function* syntheticLog(options: SyntheticLogOptions): Generator<SyntheticEvent> {
  const rnd = mulberry32(options.seed ?? 1);
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(rnd() * 16).toString(16));
    hex[12] = '4';
    hex[16] = '89ab'[Math.floor(rnd() * 4)]!;
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  const trackWeights = zipf(options.tracks, 0.9);
  const listenerWeights = zipf(options.listeners, 0.6);
  const from = options.from.getTime();
  const step = (options.to.getTime() - from) / options.events;
  const late = options.lateCatalogShare ?? 0.1;
  const registered = new Set<number>();
  const lateAt = new Map<number, number>();
  for (let t = 0; t < options.tracks; t++) {
    if (rnd() < late) lateAt.set(t, Math.floor(rnd() * options.events));
  }
  const catalog = (t: number, at: string): SyntheticEvent => {
    registered.add(t);
    const data: StoredEventData<'TrackRegistered'> = {
      trackId: syntheticTrackId(t),
      artistId: syntheticArtistId(t % options.artists),
      title: `Track ${t}`,
      durationSeconds: 120 + Math.floor(rnd() * 180),
      occurredAt: at,
    };
    return {
      stream: `track-${data.trackId}`,
      event: { id: uuid(), type: 'TrackRegistered', data },
    };
  };
  for (let i = 0; i < options.events; i++) {
    const at = new Date(from + i * step + rnd() * step).toISOString();
    const t = pick(trackWeights, rnd());
    if (!registered.has(t) && !lateAt.has(t)) yield catalog(t, at);
    for (const [late, when] of lateAt) {
      if (when <= i && !registered.has(late)) yield catalog(late, at);
    }
    const type = kinds[pick(kindCumulative, rnd())]![0];
    const listener = pick(listenerWeights, rnd());
    const trackId = syntheticTrackId(t);
    const base = {
      trackId,
      listenerId: `lst${listener}`,
      sessionId: `ses${listener}-${Math.floor(i / 50)}`,
      occurredAt: at,
      receivedAt: at,
    };
    let data: Record<string, unknown> = base;
    if (type === 'TrackPlayed' || type === 'TrackSkipped') {
      const duration =
        type === 'TrackSkipped' ? Math.floor(rnd() * 20) : 20 + Math.floor(rnd() * 280);
      data = {
        ...base,
        source: sources[Math.floor(rnd() * sources.length)],
        ...(rnd() < 0.2 ? { playlistId: `pl${Math.floor(rnd() * 500)}` } : {}),
        durationSeconds: duration,
        completionRate: Math.min(100, Math.round((duration / 240) * 100)),
        replayed: rnd() < 0.1,
      };
    } else if (type === 'TrackSaved' || type === 'TrackUnsaved') {
      data = { ...base, playlistId: `pl${Math.floor(rnd() * 500)}` };
    } else if (type === 'TrackShared') {
      data = { ...base, platform: platforms[Math.floor(rnd() * platforms.length)] };
    }
    yield { stream: `track-${trackId}`, event: { id: uuid(), type, data } };
  }
}

/**
 * Groups the next `size` events by stream, keeping each stream's order: one multi-event append
 * per stream and chunk (what BatchAppend-style bulk loading wants).
 */
export function* appendChunks(
  log: Iterable<SyntheticEvent>,
  size: number,
): Generator<Map<string, NewEvent[]>> {
  let chunk = new Map<string, NewEvent[]>();
  let n = 0;
  for (const { stream, event } of log) {
    const list = chunk.get(stream);
    if (list) list.push(event);
    else chunk.set(stream, [event]);
    if (++n >= size) {
      yield chunk;
      chunk = new Map();
      n = 0;
    }
  }
  if (n > 0) yield chunk;
}
