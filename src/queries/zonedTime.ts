import { ValidationError } from '../errors';
import type { Granularity } from './timeBuckets';
import type { Zone } from './zoneOffsets';
import { countCached, DAY, HOUR, offsetAtEnd, utcDate, zone } from './zoneOffsets';

/**
 * Local-calendar buckets (hour, day, ISO week from Monday, month, year) in an IANA time zone,
 * through `Intl` only. Instants are epoch milliseconds.
 *
 * Every boundary returned here is floored to a whole UTC hour, so zoned buckets are unions of
 * the hourly UTC rollups. A UTC hour belongs to the local unit its last millisecond falls in:
 * for whole-hour offsets that is exact; in 30/45-minute zones (Asia/Kolkata, Asia/Kathmandu,
 * Australia/Adelaide, Pacific/Chatham) a local midnight inside a UTC hour is taken at the start
 * of that hour, so days there start up to 45 minutes early (Kolkata's 2026-11-05 starts at
 * 2026-11-04T18:00Z, not 18:30Z). `hour` buckets are the UTC hours themselves.
 *
 * DST: a local day lasts 23 or 25 hours; when a gap swallows midnight (America/Santiago,
 * America/Havana, Asia/Beirut) the day starts at the first local instant that exists. A
 * repeated local hour (fall back) yields two hour buckets with the same label. Where a fall back
 * carries the clock back across midnight (in 1990–2040 only Antarctica/Casey on 2010-03-05),
 * the day runs until the second midnight.
 */
export type ZonedUnit = Granularity;
export type Bucket = { start: number; end: number };

const floorHour = (t: number) => Math.floor(t / HOUR) * HOUR;

let canonicalNames: Map<string, string> | undefined;

/**
 * The zone to use for a request's `tz`: `undefined` or '' is 'UTC'; a known zone comes back
 * spelled as IANA spells it (`europe/berlin` → `Europe/Berlin`), a link name such as
 * `Asia/Kolkata` as given (ICU would rename it `Asia/Calcutta`); anything else is a
 * ValidationError naming `tz` (HTTP 400).
 */
export function parseTimeZone(tz: string | undefined): string {
  if (tz === undefined || tz === '') return 'UTC';
  zone(tz);
  canonicalNames ??= new Map(
    [...Intl.supportedValuesOf('timeZone'), 'UTC'].map((name) => [name.toLowerCase(), name]),
  );
  return canonicalNames.get(tz.toLowerCase()) ?? tz;
}

/** Local wall time of UTC hour `h` (its last millisecond), as a Date read with getUTC*. */
const wallOf = (z: Zone, h: number) => new Date(h + HOUR - 1 + offsetAtEnd(z, h));
/** Local date of UTC hour `h`, as the epoch ms of that date's UTC midnight. */
const localDay = (z: Zone, h: number) => Math.floor((h + HOUR - 1 + offsetAtEnd(z, h)) / DAY) * DAY;

/** The local date (UTC midnight ms) on which the unit containing local wall time `w` starts. */
function unitStartDay(w: Date, unit: Exclude<ZonedUnit, 'hour'>): number {
  const [y, m, d] = [w.getUTCFullYear(), w.getUTCMonth(), w.getUTCDate()];
  if (unit === 'day') return utcDate(y, m, d);
  if (unit === 'week') return utcDate(y, m, d - ((w.getUTCDay() + 6) % 7));
  return unit === 'month' ? utcDate(y, m, 1) : utcDate(y, 0, 1);
}

/** The local date `n` units after (or before) unit start date `day`. */
function shiftUnit(day: number, unit: Exclude<ZonedUnit, 'hour'>, n: number): number {
  const d = new Date(day);
  if (unit === 'day') return day + n * DAY;
  if (unit === 'week') return day + n * 7 * DAY;
  return unit === 'month'
    ? utcDate(d.getUTCFullYear(), d.getUTCMonth() + n, 1)
    : utcDate(d.getUTCFullYear() + n, 0, 1);
}

/** First UTC hour whose local date is `day` or later: the hour-floored start of local `day`. */
function dayStart(z: Zone, day: number): number {
  const cached = z.dayStarts.get(day / DAY);
  if (cached !== undefined) return cached;
  // Two rounds of "midnight minus the offset around it" land within an hour or two.
  let h = floorHour(day - offsetAtEnd(z, floorHour(day)));
  h = floorHour(day - offsetAtEnd(z, h));
  while (localDay(z, h - HOUR) >= day) h -= HOUR;
  while (localDay(z, h) < day) h += HOUR;
  z.dayStarts.set(day / DAY, h);
  countCached();
  return h;
}

/** [start, end) of the zoned `unit` holding `t`. */
function unitAround(t: number, unit: ZonedUnit, tz: string): [number, number] {
  const [h, z] = [floorHour(t), zone(tz)];
  if (unit === 'hour') return [h, h + HOUR];
  const day = unitStartDay(wallOf(z, h), unit);
  const start = dayStart(z, day);
  // Only where a fall back crosses midnight (Antarctica/Casey 2010-03-05) can the clock show
  // a day whose hour-floored start is still ahead; such hours belong to the day before.
  if (start > h) return [dayStart(z, shiftUnit(day, unit, -1)), start];
  return [start, dayStart(z, shiftUnit(day, unit, 1))];
}

/** Hour-floored UTC start of the local `unit` that contains instant `t`. */
export const startOf = (t: number, unit: ZonedUnit, tz: string): number =>
  unitAround(t, unit, tz)[0];

/** Hour-floored UTC start of the local `unit` after the one that contains `t`. */
export const next = (t: number, unit: ZonedUnit, tz: string): number => unitAround(t, unit, tz)[1];

/**
 * Start of local day `date` ('YYYY-MM-DD', for `from`/`to` given as dates); a malformed or
 * impossible date is a ValidationError naming `field`.
 */
export function localDateStart(date: string, tz: string, field: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [y, mo, d] = m === null ? [0, 0, 0] : [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const day = utcDate(y, mo, d);
  const back = new Date(day);
  if (
    y < 1 ||
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo ||
    back.getUTCDate() !== d
  ) {
    throw new ValidationError(`invalid query: ${field}`, [
      { path: field, message: 'must be a date YYYY-MM-DD' },
    ]);
  }
  return dayStart(zone(tz), day);
}

/**
 * The series buckets covering [from, to): the first starts at `from`, the last ends at `to`,
 * and the boundaries between them are local unit starts. Empty when `from >= to`.
 */
export function bucketBoundaries(from: number, to: number, unit: ZonedUnit, tz: string): Bucket[] {
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new RangeError('finite from and to');
  const buckets: Bucket[] = [];
  for (let start = from; start < to;) {
    const end = Math.min(next(start, unit, tz), to);
    // Unreachable while local dates run forwards; a loop that stops advancing must not hang.
    if (!(end > start)) throw new Error(`no ${unit} boundary after ${start} in ${tz}`);
    buckets.push({ start, end });
    start = end;
  }
  return buckets;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dateLabel = (w: Date) =>
  `${pad(w.getUTCFullYear(), 4)}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}`;

/**
 * Local label of the unit containing `t`: '2026-11-05T14' (hour), '2026-11-05' (day; for a
 * week, its Monday), '2026-11' (month), '2026' (year).
 */
export function localLabel(t: number, unit: ZonedUnit, tz: string): string {
  // Read at the bucket's start, so a label always names the bucket `startOf` puts t in.
  const w = wallOf(zone(tz), startOf(t, unit, tz));
  switch (unit) {
    case 'hour':
      return `${dateLabel(w)}T${pad(w.getUTCHours())}`;
    case 'day':
      return dateLabel(w);
    case 'week':
      return dateLabel(new Date(unitStartDay(w, 'week')));
    case 'month':
      return dateLabel(w).slice(0, 7);
    case 'year':
      return pad(w.getUTCFullYear(), 4);
  }
}
