/**
 * UTC time buckets of the rollups: hour, day, ISO week (starting Monday), month, year.
 * Times are epoch milliseconds; a bucket is the half-open interval [start, next(start)).
 */
export const granularities = ['hour', 'day', 'week', 'month', 'year'] as const;
export type Granularity = (typeof granularities)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Start of the bucket of granularity `g` that contains `t`. */
export function floorTo(t: number, g: Granularity): number {
  if (g === 'hour') return Math.floor(t / HOUR) * HOUR;
  if (g === 'day') return Math.floor(t / DAY) * DAY;
  const d = new Date(t);
  switch (g) {
    case 'week': {
      const day = Math.floor(t / DAY) * DAY;
      // getUTCDay: Sunday 0 … Saturday 6; ISO weeks start on Monday.
      const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
      return day - sinceMonday * DAY;
    }
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'year':
      return Date.UTC(d.getUTCFullYear(), 0, 1);
  }
}

/** Start of the bucket after the one that starts at (or contains) `t`. */
export function nextBucket(t: number, g: Granularity): number {
  const start = floorTo(t, g);
  const d = new Date(start);
  switch (g) {
    case 'hour':
      return start + HOUR;
    case 'day':
      return start + DAY;
    case 'week':
      return start + 7 * DAY;
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    case 'year':
      return Date.UTC(d.getUTCFullYear() + 1, 0, 1);
  }
}

/** Smallest bucket boundary of granularity `g` at or after `t`. */
export function ceilTo(t: number, g: Granularity): number {
  const start = floorTo(t, g);
  return start === t ? t : nextBucket(t, g);
}

export const isAligned = (t: number, g: Granularity): boolean => floorTo(t, g) === t;
