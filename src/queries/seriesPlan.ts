import { cellAt, floorTo, nextCell, type Level } from '../../projections/lib/cells';
import type { ResolvedRange } from './queryParams';
import type { Bucket, PlannedCell } from './rangeStats';
import type { Granularity } from './timeBuckets';
import { bucketBoundaries } from './zonedTime';

/** Series granularity for a range: about a dozen to a hundred points. */
export function seriesGranularity(from: number, to: number): Granularity {
  const days = (to - from) / 86_400_000;
  if (days <= 2) return 'hour';
  if (days <= 62) return 'day';
  if (days <= 200) return 'week';
  if (days <= 1100) return 'month';
  return 'year';
}

/** The series of a resolved range: its granularity and buckets in the range's zone. */
export function seriesOf(range: ResolvedRange): { granularity: Granularity; buckets: Bucket[] } {
  const granularity = seriesGranularity(range.from, range.to);
  return { granularity, buckets: bucketBoundaries(range.from, range.to, granularity, range.tz) };
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * What came from where, for the answer's `coverage`: runs of contiguous rollup cells of one
 * level (UTC), and the log events past the rollups' checkpoint counted on top.
 */
export function coverageOf(
  cells: readonly PlannedCell[],
  snap: { checkpoint: number; incomplete?: string },
  tailEvents: number,
) {
  const runs: { level: Level; from: string; to: string; cells: number }[] = [];
  let last: { level: Level; end: number; run: (typeof runs)[number] } | undefined;
  for (const c of cells) {
    const end = nextCell(floorTo(c.start, c.level), c.level);
    if (last && last.level === c.level && last.end === c.start) {
      last.run.cells += 1;
      last.end = end;
      last.run.to = iso(end);
      continue;
    }
    const run = { level: c.level, from: iso(c.start), to: iso(end), cells: 1 };
    runs.push(run);
    last = { level: c.level, end, run };
  }
  return {
    rollupCheckpoint: snap.checkpoint,
    partitions: [...new Set(cells.map((c) => cellAt(c.level, c.start).partition))].length,
    rollups: runs,
    raw: {
      eventsAfterCheckpoint: tailEvents,
      ...(snap.incomplete ? { incomplete: snap.incomplete } : {}),
    },
  };
}
