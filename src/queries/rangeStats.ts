import type { CellLookup } from './rollupCache';
import { cellsOf, type RollupCell } from './rollupCells';
import type { Piece } from './rangePlanner';
import { addRaw, addTally, emptyTally, ListenerUnion, type RawEvent, type Tally } from './tally';

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

type Segment = {
  start: number;
  end: number;
  series: number;
  threshold: number;
  source: 'raw' | 'rollup' | 'notLoaded';
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
 * Stitches rollups and raw events into exact statistics of a planned range. For each track, a
 * rollup cell contributes what it holds (every event with position ≤ its checkpoint) and the
 * raw events in its time span with a later position; a raw piece contributes all its raw
 * events. The cells and pieces tile the range, so every event counts exactly once.
 */
export function rangeStats(
  trackIds: readonly string[],
  plan: SeriesPlan,
  lookup: CellLookup,
  events: ReadonlyMap<string, readonly RawEvent[]>,
): RangeStats {
  const pieces = planCells(plan);
  const series = plan.map(() => emptyTally());
  const perTrack = new Map<string, Tally>();
  const total = emptyTally();
  const listeners = new ListenerUnion();
  const replayed = { raw: 0, afterCheckpoint: 0, notLoaded: 0, cellsNotLoaded: 0 };
  const from = plan[0]?.start ?? 0;
  const to = plan[plan.length - 1]?.end ?? 0;
  for (const trackId of trackIds) {
    const mine = emptyTally();
    const segments: Segment[] = [];
    for (const { series: i, piece, cells } of pieces) {
      if (piece.kind === 'raw') {
        segments.push({
          start: piece.start,
          end: piece.end,
          series: i,
          threshold: -1,
          source: 'raw',
        });
        continue;
      }
      for (const cell of cells) {
        const stats = lookup(trackId, cell);
        if (!stats) {
          // Not loaded yet: the cell's raw events are exactly what the rollup would hold.
          replayed.cellsNotLoaded += 1;
          segments.push({ ...cell, series: i, threshold: -1, source: 'notLoaded' });
          continue;
        }
        addTally(series[i]!, stats.tally);
        addTally(mine, stats.tally);
        listeners.addSketch(stats.sketch);
        segments.push({ ...cell, series: i, threshold: stats.checkpoint, source: 'rollup' });
      }
    }
    for (const e of events.get(trackId) ?? []) {
      if (e.at < from || e.at >= to) continue;
      const segment = findSegment(segments, e.at);
      if (!segment || e.pos <= segment.threshold) continue;
      listeners.addHash(addRaw(series[segment.series]!, e));
      addRaw(mine, e);
      if (segment.source === 'raw') replayed.raw += 1;
      else if (segment.source === 'rollup') replayed.afterCheckpoint += 1;
      else replayed.notLoaded += 1;
    }
    perTrack.set(trackId, mine);
    addTally(total, mine);
  }
  return { series, perTrack, total, uniqueListeners: listeners.count(), replayed };
}
