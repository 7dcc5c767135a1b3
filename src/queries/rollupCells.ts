import { bucketKeys, isoWeekKey } from '../../projections/lib/buckets';
import type { Piece } from './rangePlanner';
import { nextBucket } from './timeBuckets';

/**
 * Where one rollup bucket lives in the `track_rollups` documents (docs/READ-MODELS.md): a year
 * is the year document's `total`; a month its month document's `total`; days, hours and week
 * parts are nested in the month document. A week across two months is two cells.
 */
export type RollupCell = {
  granularity: 'm' | 'y';
  period: string;
  /** `total`, `days.DD`, `hours.DDHH` or `weeks.GGGG-Www`. */
  path: string;
  start: number;
  end: number;
};

const keysAt = (t: number) => bucketKeys(new Date(t).toISOString());

export function cellsOf(piece: Extract<Piece, { kind: 'rollup' }>): RollupCell[] {
  const k = keysAt(piece.start);
  const span = { start: piece.start, end: piece.end };
  switch (piece.granularity) {
    case 'year':
      return [{ granularity: 'y', period: k.year, path: 'total', ...span }];
    case 'month':
      return [{ granularity: 'm', period: k.month, path: 'total', ...span }];
    case 'day':
      return [{ granularity: 'm', period: k.month, path: `days.${k.day}`, ...span }];
    case 'hour':
      return [{ granularity: 'm', period: k.month, path: `hours.${k.hour}`, ...span }];
    case 'week': {
      const week = isoWeekKey(new Date(piece.start));
      const cells: RollupCell[] = [];
      for (let t = piece.start; t < piece.end;) {
        const end = Math.min(piece.end, nextBucket(t, 'month'));
        cells.push({
          granularity: 'm',
          period: keysAt(t).month,
          path: `weeks.${week}`,
          start: t,
          end,
        });
        t = end;
      }
      return cells;
    }
  }
}
