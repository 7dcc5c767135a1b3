import {
  bucketBoundaries,
  localDateStart,
  localLabel,
  next,
  parseTimeZone,
  startOf,
} from './zonedTime';
import { fieldsOf } from './testing/fieldsOf';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;
/** [start, end) of local day `date`, as ISO instants. */
const day = (date: string, tz: string) => {
  const start = localDateStart(date, tz, 'from');
  return [new Date(start).toISOString(), new Date(next(start, 'day', tz)).toISOString()];
};
const hoursOf = (date: string, tz: string) => {
  const start = localDateStart(date, tz, 'from');
  return (next(start, 'day', tz) - start) / HOUR;
};

describe('time zone names', () => {
  it('defaults to UTC and spells known zones as IANA does', () => {
    expect(parseTimeZone(undefined)).toBe('UTC');
    expect(parseTimeZone('')).toBe('UTC');
    expect(parseTimeZone('utc')).toBe('UTC');
    expect(parseTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(parseTimeZone('America/Los_Angeles')).toBe('America/Los_Angeles');
    expect(parseTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
  });

  it('rejects unknown zones and offsets with a 400 naming tz', () => {
    for (const tz of [
      'Mars/Olympus',
      'Europe/Berlinn',
      '+05:30',
      'UTC+1',
      ' UTC',
      'a'.repeat(80),
    ]) {
      expect(fieldsOf(() => parseTimeZone(tz))).toEqual(['tz']);
    }
    expect(fieldsOf(() => startOf(0, 'day', 'Nowhere/Place'))).toEqual(['tz']);
  });
});

describe('local days', () => {
  it('are 23 and 25 hours long on DST days in Berlin and Los Angeles', () => {
    expect(day('2026-03-29', 'Europe/Berlin')).toEqual([
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
    ]);
    expect(hoursOf('2026-10-25', 'Europe/Berlin')).toBe(25);
    expect(day('2026-03-08', 'America/Los_Angeles')).toEqual([
      '2026-03-08T08:00:00.000Z',
      '2026-03-09T07:00:00.000Z',
    ]);
    expect(hoursOf('2026-11-01', 'America/Los_Angeles')).toBe(25);
    expect(hoursOf('2026-11-02', 'America/Los_Angeles')).toBe(24);
  });

  it('start at the UTC hour holding a 30- or 45-minute local midnight', () => {
    // Kolkata +05:30: midnight is 18:30Z, taken at 18:00Z, so 18:10Z already counts as the 5th.
    expect(day('2026-11-05', 'Asia/Kolkata')[0]).toBe('2026-11-04T18:00:00.000Z');
    expect(localLabel(at('2026-11-04T18:10:00Z'), 'day', 'Asia/Kolkata')).toBe('2026-11-05');
    expect(startOf(at('2026-11-04T18:10:00Z'), 'day', 'Asia/Kolkata')).toBe(
      at('2026-11-04T18:00:00Z'),
    );
    expect(day('2026-11-05', 'Asia/Kathmandu')[0]).toBe('2026-11-04T18:00:00.000Z'); // 18:15Z
    expect(day('2026-11-05', 'Pacific/Chatham')[0]).toBe('2026-11-04T10:00:00.000Z'); // 10:15Z
    // Lord Howe's 30-minute DST: 2026-10-04 lasts 23.5 hours, from 13:30Z taken at 13:00Z.
    expect(day('2026-10-04', 'Australia/Lord_Howe')).toEqual([
      '2026-10-03T13:00:00.000Z',
      '2026-10-04T13:00:00.000Z',
    ]);
  });

  it('start at the first existing instant when DST skips midnight', () => {
    // Santiago 2026-09-06: 00:00 -04 does not exist; the day starts at 01:00 -03 (04:00Z).
    expect(day('2026-09-06', 'America/Santiago')).toEqual([
      '2026-09-06T04:00:00.000Z',
      '2026-09-07T03:00:00.000Z',
    ]);
    expect(day('2026-03-08', 'America/Havana')[0]).toBe('2026-03-08T05:00:00.000Z');
    // São Paulo 2018-02-18: 24:00 -02 fell back to 23:00 -03, a 25-hour Saturday.
    expect(hoursOf('2018-02-17', 'America/Sao_Paulo')).toBe(25);
    expect(day('2018-11-04', 'America/Sao_Paulo')[0]).toBe('2018-11-04T03:00:00.000Z');
  });

  it('stay well-formed when a fall back crosses midnight (Antarctica/Casey 2010)', () => {
    // 2010-03-05 00:59 +11 became 2010-03-04 22:00 +08: the 4th runs until the second midnight.
    const tz = 'Antarctica/Casey';
    const buckets = bucketBoundaries(at('2010-03-03T13:00Z'), at('2010-03-05T16:00Z'), 'day', tz);
    expect(buckets.map((b) => [(b.end - b.start) / HOUR, localLabel(b.start, 'day', tz)])).toEqual([
      [27, '2010-03-04'],
      [24, '2010-03-05'],
    ]);
    for (let t = at('2010-03-04T10:30Z'); t < at('2010-03-04T16:00Z'); t += HOUR) {
      expect(startOf(t, 'day', tz)).toBe(at('2010-03-03T13:00Z'));
      expect(localLabel(t, 'day', tz)).toBe('2010-03-04');
    }
  });

  it('reject malformed or impossible dates naming the field', () => {
    for (const date of ['2026-02-30', '2026-13-01', '2026-1-05', '26-01-05', '2026-01-05T00:00Z']) {
      expect(fieldsOf(() => localDateStart(date, 'UTC', 'to'))).toEqual(['to']);
    }
    expect(localDateStart('2028-02-29', 'UTC', 'to')).toBe(at('2028-02-29T00:00:00Z'));
  });
});

describe('weeks, months and years', () => {
  it('weeks start on Monday at local midnight', () => {
    const thursday = at('2026-11-05T12:00:00Z');
    expect(startOf(thursday, 'week', 'Europe/Berlin')).toBe(at('2026-11-01T23:00:00Z'));
    expect(next(thursday, 'week', 'Europe/Berlin')).toBe(at('2026-11-08T23:00:00Z'));
    expect(localLabel(thursday, 'week', 'Europe/Berlin')).toBe('2026-11-02');
    // Sunday 2026-11-01 23:30Z is already Monday in Berlin, still Sunday in Los Angeles.
    expect(localLabel(at('2026-11-01T23:30:00Z'), 'week', 'Europe/Berlin')).toBe('2026-11-02');
    expect(localLabel(at('2026-11-01T23:30:00Z'), 'week', 'America/Los_Angeles')).toBe(
      '2026-10-26',
    );
  });

  it('months and years start at local midnight of the 1st', () => {
    expect(startOf(at('2026-12-31T23:30:00Z'), 'year', 'Europe/Berlin')).toBe(
      at('2026-12-31T23:00:00Z'),
    );
    expect(localLabel(at('2026-12-31T23:30:00Z'), 'year', 'Europe/Berlin')).toBe('2027');
    expect(next(at('2026-06-01T00:00:00Z'), 'year', 'America/Los_Angeles')).toBe(
      at('2027-01-01T08:00:00Z'),
    );
    expect(startOf(at('2026-11-01T06:00:00Z'), 'month', 'America/Los_Angeles')).toBe(
      at('2026-10-01T07:00:00Z'),
    );
    expect(localLabel(at('2026-11-01T06:00:00Z'), 'month', 'America/Los_Angeles')).toBe('2026-10');
  });
});

describe('buckets', () => {
  it('cover [from, to) with local boundaries inside', () => {
    const from = at('2026-10-24T10:00:00Z');
    const to = at('2026-10-27T05:00:00Z');
    const buckets = bucketBoundaries(from, to, 'day', 'Europe/Berlin');
    expect(buckets.map((b) => [b.start, b.end].map((t) => new Date(t).toISOString()))).toEqual([
      ['2026-10-24T10:00:00.000Z', '2026-10-24T22:00:00.000Z'],
      ['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
      ['2026-10-25T23:00:00.000Z', '2026-10-26T23:00:00.000Z'],
      ['2026-10-26T23:00:00.000Z', '2026-10-27T05:00:00.000Z'],
    ]);
    expect(buckets.map((b) => localLabel(b.start, 'day', 'Europe/Berlin'))).toEqual([
      '2026-10-24',
      '2026-10-25',
      '2026-10-26',
      '2026-10-27',
    ]);
    expect(bucketBoundaries(to, from, 'day', 'UTC')).toEqual([]);
  });

  it('hours are UTC hours labelled by the local hour; fall back repeats a label', () => {
    const buckets = bucketBoundaries(
      at('2026-10-25T00:00:00Z'),
      at('2026-10-25T02:00:00Z'),
      'hour',
      'Europe/Berlin',
    );
    expect(buckets).toHaveLength(2);
    expect(buckets.map((b) => localLabel(b.start, 'hour', 'Europe/Berlin'))).toEqual([
      '2026-10-25T02',
      '2026-10-25T02',
    ]);
    expect(localLabel(at('2026-11-05T00:00:00Z'), 'hour', 'Asia/Kolkata')).toBe('2026-11-05T06');
  });
});
