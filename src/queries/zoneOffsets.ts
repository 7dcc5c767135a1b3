import { ValidationError } from '../errors';

/**
 * Intl-backed UTC offsets of IANA zones for src/queries/zonedTime.ts, cached per zone and per
 * UTC hour (a formatToParts call costs microseconds; a request asks for hundreds of them).
 */
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** `offsets` by UTC hour number, `dayStarts` (for zonedTime.ts) by local day number. */
export type Zone = {
  format: Intl.DateTimeFormat;
  offsets: Map<number, number>;
  dayStarts: Map<number, number>;
};
/** Pure caches: formatters by zone name, and each zone's UTC offset per UTC hour (bounded). */
const zones = new Map<string, Zone>();
const MAX_ZONES = 1_000;
const MAX_CACHED_OFFSETS = 200_000;
let cachedOffsets = 0;

function invalidZone(): ValidationError {
  return new ValidationError('invalid query: tz', [
    { path: 'tz', message: 'must be an IANA time zone, e.g. Europe/Berlin' },
  ]);
}

/** The cached state of zone `tz`; an unknown or non-IANA zone is a ValidationError naming `tz`. */
export function zone(tz: string): Zone {
  const known = zones.get(tz);
  if (known !== undefined) return known;
  // Intl also takes offsets such as +05:30 on newer Node versions; the SPEC asks for IANA names.
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(tz)) throw invalidZone();
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw invalidZone();
  }
  if (zones.size >= MAX_ZONES) {
    zones.clear();
    cachedOffsets = 0;
  }
  const created = {
    format,
    offsets: new Map<number, number>(),
    dayStarts: new Map<number, number>(),
  };
  zones.set(tz, created);
  return created;
}

/** `new Date(0).setUTCFullYear` avoids Date.UTC's mapping of years 0–99 to 1900–1999. */
export const utcDate = (y: number, monthIndex: number, day: number) =>
  new Date(0).setUTCFullYear(y, monthIndex, day);

/** UTC offset (ms) in force at the last millisecond of UTC hour `h`. */
export function offsetAtEnd(z: Zone, h: number): number {
  // Small-integer keys: V8 hashes them much faster than epoch-ms doubles.
  const cached = z.offsets.get(h / HOUR);
  if (cached !== undefined) return cached;
  const f: Record<string, number> = {};
  for (const p of z.format.formatToParts(h + HOUR - 1)) f[p.type] = Number(p.value);
  const local =
    utcDate(f.year!, f.month! - 1, f.day!) + f.hour! * HOUR + f.minute! * 60_000 + f.second! * 1000;
  const offset = local - (h + HOUR - 1000);
  z.offsets.set(h / HOUR, offset);
  countCached();
  return offset;
}

/** Counts one more cached entry; past the budget every zone's caches start afresh. */
export function countCached(): void {
  if (++cachedOffsets <= MAX_CACHED_OFFSETS) return;
  for (const other of zones.values()) {
    other.offsets.clear();
    other.dayStarts.clear();
  }
  cachedOffsets = 0;
}
