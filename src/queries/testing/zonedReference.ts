import type { ZonedUnit } from '../zonedTime';

/**
 * A deliberately brute-force model of zoned buckets, written without src/queries/zonedTime.ts:
 * a UTC hour belongs to the local unit shown by the wall clock in its last second, and
 * boundaries are found by stepping through UTC hours and reading the wall clock with Intl.
 */
export const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const formats = new Map<string, Intl.DateTimeFormat>();
function wallClock(t: number, tz: string) {
  let f = formats.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(tz, f);
  }
  const parts = f.formatToParts(t);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return { y: part('year'), m: part('month'), d: part('day'), h: part('hour') };
}

/** ISO 8601 week of a calendar date: [week-year, week]; weeks start on Monday. */
function isoWeek(y: number, m: number, d: number): [number, number] {
  const date = new Date(Date.UTC(y, m - 1, d));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(d + 4 - weekday); // the Thursday of this week decides its year
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  return [date.getUTCFullYear(), Math.ceil(((date.getTime() - yearStart) / DAY + 1) / 7)];
}

/** The local unit (as a comparable string) of UTC hour `h`. */
export function hourKey(h: number, unit: ZonedUnit, tz: string): string {
  const w = wallClock(h + HOUR - 1000, tz);
  switch (unit) {
    case 'hour':
      return `${w.y}-${w.m}-${w.d}T${w.h}`;
    case 'day':
      return `${w.y}-${w.m}-${w.d}`;
    case 'week':
      return isoWeek(Number(w.y), Number(w.m), Number(w.d)).join('-W');
    case 'month':
      return `${w.y}-${w.m}`;
    case 'year':
      return w.y;
  }
}

/**
 * First and last-plus-one UTC hour of the local unit (day and longer) containing `t`. Local
 * dates never run backwards in the zones tested, so whole-day steps over equal keys skip
 * nothing; the last day is walked hour by hour.
 */
export function referenceBucket(t: number, unit: Exclude<ZonedUnit, 'hour'>, tz: string) {
  const h = Math.floor(t / HOUR) * HOUR;
  const key = hourKey(h, unit, tz);
  const walk = (step: number) => {
    let at = h;
    while (hourKey(at + step * DAY, unit, tz) === key) at += step * DAY;
    while (hourKey(at + step * HOUR, unit, tz) === key) at += step * HOUR;
    return at;
  };
  return { start: walk(-1), end: walk(1) + HOUR };
}

/** First UTC hour whose local date is `date` ('YYYY-MM-DD') or later. */
export function referenceDateStart(date: string, tz: string): number {
  let h = Date.parse(`${date}T00:00:00Z`) - 16 * HOUR; // before midnight in every zone
  while (hourKey(h, 'day', tz) < date) h += HOUR;
  return h;
}

/** Local date of UTC hour `h`, for labels. */
export const referenceDay = (h: number, tz: string) => hourKey(h, 'day', tz);
