import {
  estimate,
  merge,
  sketchOfHashes,
  type ListenerSketch,
} from '../../projections/lib/listenerSketch';
import type { CellLookup } from './rollupCache';
import { cellsOf, type RollupCell } from './rollupCells';
import type { Piece } from './rangePlanner';
import { addRaw, addTally, cloneTally, emptyTally, type RawEvent, type Tally } from './tally';
import type { TrackEvents } from './trackEvents';

export type SeriesPlan = { start: number; end: number; pieces: Piece[] }[];

export type RangeStats = {
  /** Per series bucket, all tracks together. */
  series: Tally[];
  /** Per track, the whole range. */
  perTrack: Map<string, Tally>;
  total: Tally;
  uniqueListeners: number;
  /**
   * Events replayed for raw pieces; events past a rollup's checkpoint added to its bucket;
   * events of rollup cells not loaded yet, replayed instead (and how many such cells).
   */
  replayed: { raw: number; afterCheckpoint: number; notLoaded: number; cellsNotLoaded: number };
};

/**
 * A whole rollup cell of one track as counted into a `StableStats`: every event in [start, end)
 * with a position ≤ `threshold` is in it, and no other. For a cell read from the rollups the
 * threshold is the checkpoint it was folded at; for a cell not loaded yet (replayed from the
 * stream instead) it is the position of the stream's last event at the time.
 */
type Segment = {
  start: number;
  end: number;
  series: number;
  threshold: number;
  source: 'rollup' | 'notLoaded';
};

/**
 * The part of a range's statistics that does not move with the clock or with new events:
 * every whole rollup cell of the plan, for every track, each exact up to its threshold.
 * Built once per (tracks, plan's cells, rollup views) and reused by the requests after it;
 * `completeStats` adds what is newer or not in a cell (the ragged edges, the open hour).
 */
export type StableStats = {
  series: Tally[];
  perTrack: Map<string, Tally>;
  total: Tally;
  listeners: ListenerSketch;
  uniqueListeners: number;
  /** Per track, its segments in time order. */
  segments: Map<string, Segment[]>;
  /** Per track, the lowest segment threshold: later events may belong to a segment. */
  minThreshold: Map<string, number>;
  notLoaded: number;
  cellsNotLoaded: number;
};

/** Every cell of a plan, with the series bucket it belongs to, in time order. */
export function planCells(
  plan: SeriesPlan,
): { series: number; piece: Piece; cells: RollupCell[] }[] {
  return plan.flatMap((bucket, series) =>
    bucket.pieces.map((piece) => ({
      series,
      piece,
      cells: piece.kind === 'rollup' ? cellsOf(piece) : [],
    })),
  );
}

/** What a stable part depends on besides the tracks and the rollup views: the plan's cells. */
export function stableKey(plan: SeriesPlan): string {
  const parts: string[] = [String(plan.length)];
  plan.forEach((bucket, i) => {
    for (const p of bucket.pieces) {
      if (p.kind === 'rollup') parts.push(`${i}${p.granularity[0]}${p.start}`);
    }
  });
  return parts.join(',');
}

function findSegment(segments: readonly Segment[], at: number): Segment | undefined {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = segments[mid]!;
    if (at < s.start) hi = mid - 1;
    else if (at >= s.end) lo = mid + 1;
    else return s;
  }
  return undefined;
}

/**
 * The whole rollup cells of a plan for each track. A cell found in the rollups contributes
 * what it holds; a cell not loaded yet is replayed from the stream up to its last event (the
 * same events the rollup would hold).
 */
export function stableStats(
  trackIds: readonly string[],
  plan: SeriesPlan,
  lookup: CellLookup,
  events: ReadonlyMap<string, TrackEvents>,
): StableStats {
  const series = plan.map(() => emptyTally());
  const perTrack = new Map<string, Tally>();
  const total = emptyTally();
  const dense: ListenerSketch[] = [];
  const hashes: number[] = [];
  const segmentsOf = new Map<string, Segment[]>();
  const minThreshold = new Map<string, number>();
  let notLoaded = 0;
  let cellsNotLoaded = 0;
  const pieces = planCells(plan);
  for (const trackId of trackIds) {
    const mine = emptyTally();
    const segments: Segment[] = [];
    const stream = events.get(trackId);
    const lastPos = stream?.lastPos ?? -1;
    let min = Infinity;
    for (const { series: i, cells } of pieces) {
      for (const cell of cells) {
        const stats = lookup(trackId, cell);
        if (stats) {
          addTally(series[i]!, stats.tally);
          addTally(mine, stats.tally);
          if (stats.sketch?.kind === 'sparse') hashes.push(...stats.sketch.hashes);
          else if (stats.sketch) dense.push(stats.sketch);
          segments.push({
            ...span(cell),
            series: i,
            threshold: stats.checkpoint,
            source: 'rollup',
          });
          min = Math.min(min, stats.checkpoint);
          continue;
        }
        // Not loaded yet: the cell's raw events are exactly what the rollup would hold.
        cellsNotLoaded += 1;
        segments.push({ ...span(cell), series: i, threshold: lastPos, source: 'notLoaded' });
        min = Math.min(min, lastPos);
        if (!stream) continue;
        const [lo, hi] = stream.between(cell.start, cell.end);
        for (let k = lo; k < hi; k++) {
          const e = stream.byTime[k]!;
          const h = addRaw(series[i]!, e);
          addRaw(mine, e);
          if (h !== undefined) hashes.push(h);
          notLoaded += 1;
        }
      }
    }
    segmentsOf.set(trackId, segments);
    minThreshold.set(trackId, min);
    perTrack.set(trackId, mine);
    addTally(total, mine);
  }
  // One union of every exact (sparse) input, then the HLL ones: no copy per merge.
  let listeners = sketchOfHashes(hashes);
  for (const d of dense) listeners = merge(listeners, d);
  return {
    series,
    perTrack,
    total,
    listeners,
    uniqueListeners: estimate(listeners),
    segments: segmentsOf,
    minThreshold,
    notLoaded,
    cellsNotLoaded,
  };
}

const span = (cell: RollupCell) => ({ start: cell.start, end: cell.end });

/**
 * Exact statistics of a planned range: the stable part plus, for each track, every raw event
 * of the plan's raw pieces (ragged edges, the open hour) and every event in a stable segment
 * with a position after the segment's threshold (appended since). The segments and the raw
 * pieces tile the range, so every event counts exactly once. The stable part is not modified.
 * `suffixScanned` (out) counts the events looked at past the thresholds: when it grows, the
 * stable part is worth rebuilding.
 */
export function completeStats(
  trackIds: readonly string[],
  plan: SeriesPlan,
  stable: StableStats,
  events: ReadonlyMap<string, TrackEvents>,
  out: { suffixScanned: number } = { suffixScanned: 0 },
): RangeStats {
  const series = stable.series.slice();
  const perTrack = new Map(stable.perTrack);
  let total = stable.total;
  const owned = new Set<Tally>();
  const own = (t: Tally): Tally => {
    if (owned.has(t)) return t;
    const c = cloneTally(t);
    owned.add(c);
    return c;
  };
  const hashes: number[] = [];
  const replayed = {
    raw: 0,
    afterCheckpoint: 0,
    notLoaded: stable.notLoaded,
    cellsNotLoaded: stable.cellsNotLoaded,
  };
  const from = plan[0]?.start ?? 0;
  const to = plan[plan.length - 1]?.end ?? 0;
  const raw: { start: number; end: number; series: number }[] = [];
  plan.forEach((bucket, i) => {
    for (const p of bucket.pieces) if (p.kind === 'raw') raw.push({ ...p, series: i });
  });
  for (const trackId of trackIds) {
    const stream = events.get(trackId);
    if (!stream) continue;
    const add = (i: number, e: RawEvent) => {
      series[i] = own(series[i]!);
      const h = addRaw(series[i]!, e);
      const mine = own(perTrack.get(trackId) ?? emptyTally());
      perTrack.set(trackId, mine);
      addRaw(mine, e);
      total = own(total);
      addRaw(total, e);
      if (h !== undefined) hashes.push(h);
    };
    for (const p of raw) {
      const [lo, hi] = stream.between(p.start, p.end);
      for (let k = lo; k < hi; k++) add(p.series, stream.byTime[k]!);
      replayed.raw += hi - lo;
    }
    const segments = stable.segments.get(trackId) ?? [];
    const min = stable.minThreshold.get(trackId) ?? Infinity;
    if (segments.length === 0 || min === Infinity) continue;
    for (let k = stream.after(min); k < stream.byPos.length; k++) {
      const e = stream.byPos[k]!;
      out.suffixScanned += 1;
      if (e.at < from || e.at >= to) continue;
      const segment = findSegment(segments, e.at);
      // Outside every segment: in a raw piece, counted above.
      if (!segment || e.pos <= segment.threshold) continue;
      add(segment.series, e);
      if (segment.source === 'rollup') replayed.afterCheckpoint += 1;
      else replayed.notLoaded += 1;
    }
  }
  const uniqueListeners =
    hashes.length === 0
      ? stable.uniqueListeners
      : estimate(merge(stable.listeners, sketchOfHashes(hashes)));
  return { series, perTrack, total, uniqueListeners, replayed };
}
