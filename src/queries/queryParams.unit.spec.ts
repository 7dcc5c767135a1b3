import { ValidationError } from '../errors';
import {
  analyticsQuerySchema,
  dashboardQuerySchema,
  parseQuery,
  resolveRange,
} from './queryParams';
import { fieldsOf } from './testing/fieldsOf';

describe('analytics query', () => {
  it('accepts each named range with a trackId or an artistId', () => {
    for (const timeRange of ['24h', '7d', '30d', '90d', '1y', 'all']) {
      expect(parseQuery(analyticsQuerySchema, { timeRange, trackId: 't1' })).toEqual({
        timeRange,
        trackId: 't1',
      });
    }
    expect(parseQuery(analyticsQuerySchema, { artistId: 'a1', metric: 'plays' })).toEqual({
      artistId: 'a1',
      metric: 'plays',
    });
  });

  it('names the field that is wrong', () => {
    expect(
      fieldsOf(() => parseQuery(analyticsQuerySchema, { timeRange: '2w', trackId: 't' })),
    ).toEqual(['timeRange']);
    expect(fieldsOf(() => parseQuery(analyticsQuerySchema, {}))).toEqual(['trackId']);
    expect(
      fieldsOf(() => parseQuery(analyticsQuerySchema, { trackId: 't', artistId: 'a' })),
    ).toEqual(['artistId']);
    expect(
      fieldsOf(() => parseQuery(analyticsQuerySchema, { trackId: 't', metric: 'skips' })),
    ).toEqual(['metric']);
    expect(
      fieldsOf(() => parseQuery(analyticsQuerySchema, { trackId: 't', from: 'yesterday' })),
    ).toEqual(['from']);
    expect(
      fieldsOf(() =>
        parseQuery(analyticsQuerySchema, { trackId: 't', to: '2026-01-01T00:00:00Z' }),
      ),
    ).toEqual(['from']);
    expect(
      fieldsOf(() =>
        parseQuery(analyticsQuerySchema, {
          trackId: 't',
          from: '2026-01-02T00:00:00Z',
          to: '2026-01-01T00:00:00Z',
        }),
      ),
    ).toEqual(['to']);
    expect(fieldsOf(() => parseQuery(analyticsQuerySchema, { trackId: ['a', 'b'] }))).toEqual([
      'trackId',
    ]);
    expect(fieldsOf(() => parseQuery(dashboardQuerySchema, { artistId: 'a b' }))).toEqual([
      'artistId',
    ]);
  });
});

describe('resolveRange', () => {
  const now = Date.parse('2026-11-26T16:20:30.123Z');

  it('ends named ranges now and starts them on the hour their length before now falls in', () => {
    const hour = (t: number) => Math.floor(t / 3_600_000) * 3_600_000;
    expect(resolveRange({ timeRange: '24h' }, now)).toEqual({
      from: hour(now - 86_400_000),
      to: now,
      timeRange: '24h',
      tz: 'UTC',
    });
    expect(resolveRange({}, now).from).toBe(hour(now - 7 * 86_400_000));
    expect(resolveRange({ timeRange: '1y' }, now).from).toBe(hour(now - 365 * 86_400_000));
  });

  it('starts all at the hour of the earliest event, or is empty without one', () => {
    expect(resolveRange({ timeRange: 'all' }, now, Date.parse('2024-03-05T07:45:00Z'))).toEqual({
      from: Date.parse('2024-03-05T07:00:00Z'),
      to: now,
      timeRange: 'all',
      tz: 'UTC',
    });
    const empty = resolveRange({ timeRange: 'all' }, now);
    expect(empty.to - empty.from).toBeLessThan(3_600_000);
  });

  it('takes custom date-times to whole hours, a lone from until now', () => {
    expect(
      resolveRange({ from: '2026-01-01T00:00:00.5Z', to: '2026-02-01T00:10:00+01:00' }, now),
    ).toEqual({
      from: Date.parse('2026-01-01T00:00:00Z'),
      to: Date.parse('2026-02-01T00:00:00Z'),
      timeRange: 'custom',
      tz: 'UTC',
    });
    expect(resolveRange({ from: '2026-11-01T00:00:00Z' }, now).to).toBe(now);
    expect(() => resolveRange({ from: '2027-01-01T00:00:00Z' }, now)).toThrow(ValidationError);
  });

  it('takes dates as local days of the zone, to included, and echoes the zone', () => {
    expect(
      resolveRange({ from: '2026-03-01', to: '2026-03-31', tz: 'Europe/Berlin' }, now),
    ).toEqual({
      from: Date.parse('2026-02-28T23:00:00Z'),
      // Berlin is on summer time from 29 March: its 1 April starts at 22:00 UTC.
      to: Date.parse('2026-03-31T22:00:00Z'),
      timeRange: 'custom',
      tz: 'Europe/Berlin',
    });
    expect(resolveRange({ timeRange: '7d', tz: 'America/Los_Angeles' }, now).tz).toBe(
      'America/Los_Angeles',
    );
  });

  it('answers 400 naming tz for an unknown zone', () => {
    expect(fieldsOf(() => resolveRange({ tz: 'Mars/Olympus_Mons' }, now))).toEqual(['tz']);
    expect(fieldsOf(() => resolveRange({ tz: '+05:30' }, now))).toEqual(['tz']);
  });
});
