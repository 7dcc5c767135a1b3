import type { TrackEvent } from '../../src/events/stored';
import {
  deserialize,
  emptySketch,
  estimate,
  hashListener,
  mergeAll,
  serialize,
  sketchOfHashes,
  type ListenerSketch,
} from './listenerSketch';

/**
 * The statistics of one rollup bucket (or of a partial bucket inside one document). Every
 * field is optional and absent means 0: documents only carry what happened. Additive: two
 * `RollupStats` of disjoint event sets combine with `mergeStats` (sums; sketch union).
 */
export type RollupStats = {
  /** Counted plays (TrackPlayed); skips are not plays. */
  plays?: number;
  skips?: number;
  likes?: number;
  unlikes?: number;
  saves?: number;
  unsaves?: number;
  shares?: number;
  downloads?: number;
  /** Sums over counted plays, for averages: avgDuration = durationSum / plays. */
  durationSum?: number;
  completionSum?: number;
  /** Counted plays with `replayed: true`. */
  replays?: number;
  /** Sums over skips, in case a view wants averages over every play attempt. */
  skipDurationSum?: number;
  skipCompletionSum?: number;
  /** Counted plays by source (`landing`, `playlist`, ...). */
  sources?: Record<string, number>;
  /** Shares by platform (`twitter`, ...). */
  platforms?: Record<string, number>;
  /** Saves by playlist; keys escaped with `encodeKey` (playlist ids may hold `.` or `$`). */
  playlists?: Record<string, number>;
  /** Unsaves by playlist, same keys. */
  playlistUnsaves?: Record<string, number>;
  /** Listeners of counted plays: `serialize(sketch)`; a driver `Binary` when read back. */
  listeners?: Uint8Array;
};

export type CountField = Exclude<
  keyof RollupStats,
  'sources' | 'platforms' | 'playlists' | 'playlistUnsaves' | 'listeners'
>;
export type BreakdownField = 'sources' | 'platforms' | 'playlists' | 'playlistUnsaves';

export const countFields: readonly CountField[] = [
  'plays',
  'skips',
  'likes',
  'unlikes',
  'saves',
  'unsaves',
  'shares',
  'downloads',
  'durationSum',
  'completionSum',
  'replays',
  'skipDurationSum',
  'skipCompletionSum',
];
export const breakdownFields: readonly BreakdownField[] = [
  'sources',
  'platforms',
  'playlists',
  'playlistUnsaves',
];

/** MongoDB field names may not contain `.` or start with `$`: escape them reversibly. */
export const encodeKey = (key: string): string =>
  /[%.$]/.test(key) ? key.replace(/%/g, '%25').replace(/\./g, '%2E').replace(/\$/g, '%24') : key;
export const decodeKey = (key: string): string =>
  key.replace(/%2E/g, '.').replace(/%24/g, '$').replace(/%25/g, '%');

/**
 * Mutable accumulator used while projecting a batch. Every count starts at 0 (one object
 * shape for all, so the hot path stays monomorphic); listener hashes are gathered as they come
 * (`toStats` removes repeats).
 */
export type StatsAccumulator = {
  counts: Record<CountField, number>;
  breakdowns: Partial<Record<BreakdownField, Record<string, number>>>;
  listeners: number[];
};

export const newAccumulator = (): StatsAccumulator => ({
  counts: {
    plays: 0,
    skips: 0,
    likes: 0,
    unlikes: 0,
    saves: 0,
    unsaves: 0,
    shares: 0,
    downloads: 0,
    durationSum: 0,
    completionSum: 0,
    replays: 0,
    skipDurationSum: 0,
    skipCompletionSum: 0,
  },
  breakdowns: {},
  listeners: [],
});

const bumpKey = (acc: StatsAccumulator, field: BreakdownField, key: string) => {
  const map = (acc.breakdowns[field] ??= {});
  map[key] = (map[key] ?? 0) + 1;
};

/** Adds one listener event to an accumulator. Catalog events are not stats: ignored. */
export function accumulate(acc: StatsAccumulator, event: TrackEvent): void {
  const c = acc.counts;
  switch (event.type) {
    case 'TrackPlayed':
      c.plays++;
      c.durationSum += event.data.durationSeconds;
      c.completionSum += event.data.completionRate;
      if (event.data.replayed) c.replays++;
      bumpKey(acc, 'sources', encodeKey(event.data.source));
      acc.listeners.push(hashListener(event.data.listenerId));
      return;
    case 'TrackSkipped':
      c.skips++;
      c.skipDurationSum += event.data.durationSeconds;
      c.skipCompletionSum += event.data.completionRate;
      return;
    case 'TrackLiked':
      c.likes++;
      return;
    case 'TrackUnliked':
      c.unlikes++;
      return;
    case 'TrackSaved':
      c.saves++;
      return bumpKey(acc, 'playlists', encodeKey(event.data.playlistId));
    case 'TrackUnsaved':
      c.unsaves++;
      return bumpKey(acc, 'playlistUnsaves', encodeKey(event.data.playlistId));
    case 'TrackShared':
      c.shares++;
      return bumpKey(acc, 'platforms', encodeKey(event.data.platform));
    case 'TrackDownloaded':
      c.downloads++;
      return;
    default:
      return;
  }
}

/** One accumulator holding what all of these hold (they are not modified). */
export function mergeAccumulators(list: readonly StatsAccumulator[]): StatsAccumulator {
  const out = newAccumulator();
  for (const a of list) {
    for (const f of countFields) out.counts[f] += a.counts[f];
    for (const f of breakdownFields) {
      const map = a.breakdowns[f];
      if (!map) continue;
      const into = (out.breakdowns[f] ??= {});
      for (const k in map) into[k] = (into[k] ?? 0) + map[k]!;
    }
    for (const h of a.listeners) out.listeners.push(h);
  }
  return out;
}

/** The stored form of an accumulator: only non-zero fields, listeners serialized. */
export function toStats(acc: StatsAccumulator): RollupStats {
  const out: RollupStats = {};
  for (const f of countFields) if (acc.counts[f]) out[f] = acc.counts[f];
  for (const f of breakdownFields) if (acc.breakdowns[f]) out[f] = acc.breakdowns[f];
  if (acc.listeners.length > 0) out.listeners = serialize(sketchOfHashes(acc.listeners));
  return out;
}

/** Bytes of a stored sketch: a Uint8Array, or a driver Binary (`buffer`) read from MongoDB. */
export function sketchBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  const buffer = (value as { buffer?: unknown } | undefined)?.buffer;
  return buffer instanceof Uint8Array ? buffer : undefined;
}

export const listenersOf = (stats: RollupStats | undefined): ListenerSketch => {
  const bytes = sketchBytes(stats?.listeners);
  return bytes ? deserialize(bytes) : emptySketch();
};

/** Sum of two bucket statistics of disjoint event sets; unique listeners merged, not summed. */
export function mergeStats(a: RollupStats | undefined, b: RollupStats | undefined): RollupStats {
  return mergeStatsList([a ?? {}, b ?? {}]);
}

/** Unique listeners of merged stats (exact while small, HLL estimate beyond). */
export const uniqueListeners = (stats: RollupStats | undefined): number =>
  estimate(listenersOf(stats));

/**
 * Sum of any number of bucket statistics of disjoint event sets, with one sketch merge for all
 * of them (pairwise `mergeStats` would serialize a sketch per step).
 */
export function mergeStatsList(list: readonly RollupStats[]): RollupStats {
  if (list.length === 1) return list[0]!;
  const out: RollupStats = {};
  const sketches: ListenerSketch[] = [];
  for (const s of list) {
    for (const f of countFields) {
      const v = s[f];
      if (v) out[f] = (out[f] ?? 0) + v;
    }
    for (const f of breakdownFields) {
      const map = s[f];
      if (!map) continue;
      for (const k in map) {
        const into = (out[f] ??= {});
        into[k] = (into[k] ?? 0) + map[k]!;
      }
    }
    if (s.listeners) sketches.push(listenersOf(s));
  }
  for (const f of countFields) if (out[f] === 0) delete out[f];
  if (sketches.length > 0) {
    const sparse = sketches.every((s) => s.kind === 'sparse');
    out.listeners = serialize(
      sparse
        ? sketchOfHashes(sketches.flatMap((s) => (s as { hashes: number[] }).hashes))
        : mergeAll(sketches),
    );
  }
  return out;
}

/**
 * `a − b` over the count fields only, non-zero differences kept (float sums compared with a
 * tolerance). Sketches and breakdowns do not subtract: callers use it where they agree.
 */
export function countDifference(a: RollupStats, b: RollupStats): RollupStats {
  const out: RollupStats = {};
  for (const f of countFields) {
    const d = (a[f] ?? 0) - (b[f] ?? 0);
    if (Math.abs(d) > 1e-9) out[f] = d;
  }
  return out;
}
