import { cellAt, coverRange, floorTo, type Level } from '../../projections/lib/cells';
import {
  estimate,
  merge,
  sketchOfHashes,
  type ListenerSketch,
} from '../../projections/lib/listenerSketch';
import type { TrackCells } from '../../projections/lib/rollupCells';
import {
  accumulate,
  newAccumulator,
  toStats,
  type RollupStats,
  type StatsAccumulator,
} from '../../projections/lib/rollupStats';
import type { TrackEvent } from '../events/stored';
import {
  addCounts,
  addTally,
  emptyCounts,
  emptyTally,
  fromStats,
  type Counts,
  type Tally,
} from './tally';

/** A series bucket: [start, end), epoch ms. */
export type Bucket = { start: number; end: number };

/** One rollup cell a bucket is made of. */
export type PlannedCell = { bucket: number; level: Level; start: number };

/**
 * The cells covering each bucket: whole UTC cells, coarsest first, and the open hour (the hour
 * `to` falls in, when `to` is not on the hour: its cell holds every event up to now). Bucket
 * starts, and ends other than `to`, must be on the hour (`resolveRange` and the zoned
 * boundaries see to it).
 */
export function planCells(buckets: readonly Bucket[], to: number): PlannedCell[] {
  const openHour = floorTo(to, 'h');
  const cells: PlannedCell[] = [];
  buckets.forEach((b, bucket) => {
    const end = Math.min(b.end, openHour);
    for (const c of coverRange(b.start, end)) cells.push({ bucket, ...c });
    if (b.end === to && to > openHour && b.start <= openHour) {
      cells.push({ bucket, level: 'h', start: openHour });
    }
  });
  return cells;
}

/** Partitions a plan reads. */
export const partitionsOf = (cells: readonly PlannedCell[]): string[] => [
  ...new Set(cells.map((c) => cellAt(c.level, c.start).partition)),
];

/**
 * A folded range. Only the total carries breakdowns (sources, platforms, playlists): series
 * buckets and tracks show counts, so a kept fold costs little memory.
 */
export type RangeStats = {
  series: Counts[];
  perTrack: Map<string, Counts>;
  total: Tally;
  uniqueListeners: number;
  /** Unique listeners of each series bucket (sketches merged per bucket, never summed). */
  seriesListeners: number[];
  /** Events past the rollups' checkpoint counted from the log. */
  tailEvents: number;
};

/** Union of many sketches: sparse hash lists gathered once, dense registers merged. */
function union(sketches: readonly ListenerSketch[]): ListenerSketch {
  const hashes: number[] = [];
  let dense: ListenerSketch | undefined;
  for (const s of sketches) {
    if (s.kind === 'sparse') for (const h of s.hashes) hashes.push(h);
    else dense = dense ? merge(dense, s) : s;
  }
  const sparse = sketchOfHashes(hashes);
  return dense ? merge(dense, sparse) : sparse;
}

/** Index of the bucket holding `t`, or -1. */
function bucketOf(buckets: readonly Bucket[], t: number): number {
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = buckets[mid]!;
    if (t < b.start) hi = mid - 1;
    else if (t >= b.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * Folds a range: the rollup cells of `cells` (read from `partitions`: per partition, the cells
 * of every track of the request's containers) and the log's events past the checkpoint
 * (`tail`), counted with the projection's own rule (`accumulate`), for `trackIds` only.
 */
export function foldRange(input: {
  trackIds: readonly string[];
  buckets: readonly Bucket[];
  cells: readonly PlannedCell[];
  partitions: ReadonlyMap<string, TrackCells>;
  tail: readonly TrackEvent[];
}): RangeStats {
  const { trackIds, buckets } = input;
  const series = buckets.map(emptyCounts);
  const perTrack = new Map(trackIds.map((id) => [id, emptyCounts()]));
  const total = emptyTally();
  const sketches: ListenerSketch[][] = buckets.map(() => []);
  const add = (bucket: number, trackId: string, stats: RollupStats) => {
    const { tally, sketch } = fromStats(stats);
    addCounts(series[bucket]!, tally);
    addCounts(perTrack.get(trackId)!, tally);
    addTally(total, tally);
    if (sketch) sketches[bucket]!.push(sketch);
  };
  for (const c of input.cells) {
    const { partition, key } = cellAt(c.level, c.start);
    const data = input.partitions.get(partition);
    if (!data) continue;
    for (const trackId of trackIds) {
      const stats = data.get(trackId)?.[key];
      if (stats) add(c.bucket, trackId, stats);
    }
  }
  const wanted = new Set(trackIds);
  const from = buckets[0]?.start ?? 0;
  const to = buckets[buckets.length - 1]?.end ?? 0;
  const accs = new Map<string, { bucket: number; trackId: string; acc: StatsAccumulator }>();
  let tailEvents = 0;
  for (const e of input.tail) {
    if (!wanted.has(e.data.trackId) || !('listenerId' in e.data)) continue;
    const t = Date.parse(e.data.occurredAt);
    if (t < from || t >= to) continue;
    const bucket = bucketOf(buckets, t);
    const key = `${bucket}|${e.data.trackId}`;
    let entry = accs.get(key);
    if (!entry) accs.set(key, (entry = { bucket, trackId: e.data.trackId, acc: newAccumulator() }));
    accumulate(entry.acc, e);
    tailEvents++;
  }
  for (const { bucket, trackId, acc } of accs.values()) add(bucket, trackId, toStats(acc));
  const perBucket = sketches.map(union);
  return {
    series,
    perTrack,
    total,
    uniqueListeners: estimate(union(perBucket)),
    seriesListeners: perBucket.map(estimate),
    tailEvents,
  };
}
