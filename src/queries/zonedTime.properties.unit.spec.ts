import fc from 'fast-check';
import {
  HOUR,
  hourKey,
  referenceBucket,
  referenceDateStart,
  referenceDay,
} from './testing/zonedReference';
import type { ZonedUnit } from './zonedTime';
import { bucketBoundaries, localDateStart, localLabel, next, startOf } from './zonedTime';

const zones = [
  'UTC',
  'Europe/Berlin',
  'America/Los_Angeles',
  'America/Sao_Paulo',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'America/Santiago',
] as const;
const longUnits = ['day', 'week', 'month', 'year'] as const;

const zone = fc.constantFrom(...zones);
const longUnit = fc.constantFrom(...longUnits);
const unit = fc.constantFrom<ZonedUnit>('hour', ...longUnits);
const instant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) });
const date = fc
  .date({
    min: new Date(Date.UTC(1990, 0, 1)),
    max: new Date(Date.UTC(2039, 11, 31)),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString().slice(0, 10));
const iso = (t: number) => new Date(t).toISOString();

describe('zoned buckets against a brute-force reference (1990–2040)', () => {
  it('startOf and next bound the local unit containing t', () => {
    fc.assert(
      fc.property(instant, longUnit, zone, (t, u, tz) => {
        const ref = referenceBucket(t, u, tz);
        expect([iso(startOf(t, u, tz)), iso(next(t, u, tz))]).toEqual([
          iso(ref.start),
          iso(ref.end),
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('hour buckets are the UTC hours', () => {
    fc.assert(
      fc.property(instant, zone, (t, tz) => {
        const h = Math.floor(t / HOUR) * HOUR;
        expect([startOf(t, 'hour', tz), next(t, 'hour', tz)]).toEqual([h, h + HOUR]);
      }),
    );
  });

  it('localDateStart is the first UTC hour of that local date', () => {
    fc.assert(
      fc.property(date, zone, (d, tz) => {
        const start = localDateStart(d, tz, 'from');
        expect(iso(start)).toBe(iso(referenceDateStart(d, tz)));
        expect(startOf(start, 'day', tz)).toBe(start);
      }),
      { numRuns: 300 },
    );
  });

  it('labels name the local unit', () => {
    fc.assert(
      fc.property(instant, unit, zone, (t, u, tz) => {
        const h = Math.floor(t / HOUR) * HOUR;
        const label = localLabel(t, u, tz);
        if (u === 'week') {
          expect(label).toBe(referenceDay(referenceBucket(t, 'week', tz).start, tz));
        } else {
          expect(label).toBe(hourKey(h, u, tz));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('buckets tile [from, to) and each lies within one local unit', () => {
    const span = fc.integer({ min: 1, max: 120 * 24 * HOUR });
    fc.assert(
      fc.property(instant, span, unit, zone, (from, length, u, tz) => {
        const to = from + length;
        const buckets = bucketBoundaries(from, to, u, tz);
        const bad = buckets.filter(
          (b, i) =>
            !(b.start < b.end) ||
            (i > 0 && (b.start !== buckets[i - 1]!.end || startOf(b.start, u, tz) !== b.start)) ||
            next(b.start, u, tz) < b.end,
        );
        expect([buckets[0]!.start, buckets.at(-1)!.end, bad]).toEqual([from, to, []]);
      }),
      { numRuns: 100 },
    );
  });
});

describe('every boundary of a whole year, hour by hour', () => {
  it.each(zones)('%s 2026', (tz) => {
    const wrong: string[] = [];
    for (const u of longUnits) {
      let start = startOf(Date.UTC(2026, 0, 1), u, tz);
      let key = hourKey(start, u, tz);
      for (let h = start; h < Date.UTC(2027, 0, 1); h += HOUR) {
        const hKey = hourKey(h, u, tz);
        if (hKey !== key) [start, key] = [h, hKey];
        if (startOf(h, u, tz) !== start) wrong.push(`${u} ${iso(h)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
