/**
 * UTC time buckets of the rollups. Keys are fixed-width strings so they sort like their times:
 * year `YYYY`, month `YYYY-MM`, ISO week `GGGG-Www` (weeks start on Monday; the ISO week-year
 * can differ from the calendar year around 1 January), day `DD` and hour `DDHH` inside a month.
 */
export type Granularity = 'h' | 'd' | 'w' | 'm' | 'y';

export type BucketKeys = {
  year: string;
  month: string;
  /** ISO week of the instant, e.g. `2026-W02`. */
  week: string;
  /** Day of month inside the month document, `01`..`31`. */
  day: string;
  /** Day and hour inside the month document, `DDHH`, e.g. `0510`. */
  hour: string;
};

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** ISO 8601 week-year and week number of a UTC instant. */
export function isoWeek(at: Date): { year: number; week: number } {
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const weekday = (at.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(day + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return { year, week };
}

export const isoWeekKey = (at: Date): string => {
  const { year, week } = isoWeek(at);
  return `${year}-W${pad(week)}`;
};

/** Bucket keys of an ISO-8601 instant (as stored in `occurredAt`). */
export function bucketKeys(occurredAt: string): BucketKeys {
  const at = new Date(occurredAt);
  const y = at.getUTCFullYear();
  const day = pad(at.getUTCDate());
  return {
    year: String(y),
    month: `${y}-${pad(at.getUTCMonth() + 1)}`,
    week: isoWeekKey(at),
    day,
    hour: `${day}${pad(at.getUTCHours())}`,
  };
}

/** Start (inclusive) of a bucket, UTC. `key` as in `BucketKeys` (day/hour need their month). */
export function bucketStart(granularity: Granularity, key: string, month?: string): Date {
  switch (granularity) {
    case 'y':
      return new Date(Date.UTC(Number(key), 0, 1));
    case 'm':
      return new Date(Date.UTC(Number(key.slice(0, 4)), Number(key.slice(5, 7)) - 1, 1));
    case 'w': {
      const year = Number(key.slice(0, 4));
      const week = Number(key.slice(6));
      const jan4 = new Date(Date.UTC(year, 0, 4));
      const monday1 = jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86_400_000;
      return new Date(monday1 + (week - 1) * 7 * 86_400_000);
    }
    case 'd':
    case 'h': {
      if (!month) throw new Error('day and hour keys need their month');
      const m = bucketStart('m', month).getTime();
      const d = (Number(key.slice(0, 2)) - 1) * 86_400_000;
      const h = granularity === 'h' ? Number(key.slice(2, 4)) * 3_600_000 : 0;
      return new Date(m + d + h);
    }
  }
}
