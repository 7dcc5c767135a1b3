import fc from 'fast-check';
import { cellAt, nextCell } from '../../projections/lib/cells';
import { trackEvent } from '../../projections/testing/events';
import { foldRange, planCells, type Bucket } from './rangeStats';
import { seriesGranularity } from './seriesPlan';
import { bucketBoundaries } from './zonedTime';

const HOUR = 3_600_000;
const hourArb = fc.integer({ min: 420_000, max: 530_000 }).map((h) => h * HOUR); // 2017–2030
const zones = [
  'UTC',
  'Europe/Berlin',
  'America/Los_Angeles',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
];

describe('planCells', () => {
  it('tiles every bucket with whole UTC cells, coarsest first, without gaps or overlaps', () => {
    fc.assert(
      fc.property(
        hourArb,
        fc.integer({ min: 1, max: 24 * 800 }),
        fc.integer({ min: 0, max: HOUR - 1 }),
        fc.constantFrom(...zones),
        (from, hours, tail, tz) => {
          const to = from + hours * HOUR + tail; // `to` may be now, inside an hour
          const buckets = bucketBoundaries(from, to, seriesGranularity(from, to), tz);
          const cells = planCells(buckets, to);
          const byBucket = buckets.map(() => [] as typeof cells);
          for (const c of cells) byBucket[c.bucket]!.push(c);
          buckets.forEach((b, i) => {
            let t = b.start;
            for (const c of byBucket[i]!) {
              expect(c.start).toBe(t);
              expect(cellAt(c.level, c.start).partition).toBeTruthy();
              t = nextCell(c.start, c.level);
            }
            // The last bucket ends with the open hour's whole cell.
            expect(t).toBe(i === buckets.length - 1 && tail > 0 ? b.end - tail + HOUR : b.end);
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('uses a month cell for a whole UTC month, days and hours at the edges', () => {
    const from = Date.parse('2026-01-30T22:00:00Z');
    const to = Date.parse('2026-03-01T05:30:00Z');
    const levels = planCells([{ start: from, end: to }], to).map((c) => c.level);
    expect(levels).toEqual(['h', 'h', 'd', 'm', 'h', 'h', 'h', 'h', 'h', 'h']);
  });
});

describe('foldRange', () => {
  const buckets: Bucket[] = [
    { start: Date.parse('2026-01-01T00:00:00Z'), end: Date.parse('2026-01-02T00:00:00Z') },
    { start: Date.parse('2026-01-02T00:00:00Z'), end: Date.parse('2026-01-02T12:30:00Z') },
  ];
  it('counts the tail with the projection rule: only the asked tracks, inside the range', () => {
    const tail = [
      trackEvent('TrackPlayed', {
        trackId: 't1',
        listenerId: 'a',
        occurredAt: '2026-01-01T05:00:00Z',
      }),
      trackEvent('TrackPlayed', {
        trackId: 't1',
        listenerId: 'a',
        occurredAt: '2026-01-02T05:00:00Z',
      }),
      trackEvent('TrackPlayed', {
        trackId: 't2',
        listenerId: 'b',
        occurredAt: '2026-01-02T06:00:00Z',
      }),
      trackEvent('TrackLiked', { trackId: 't1', occurredAt: '2026-01-02T12:40:00Z' }), // after `to`
      trackEvent('TrackPlayed', { trackId: 'other', occurredAt: '2026-01-02T06:00:00Z' }),
      trackEvent('TrackRegistered', { trackId: 't1' }),
    ];
    const r = foldRange({
      trackIds: ['t1', 't2'],
      buckets,
      cells: [],
      partitions: new Map(),
      tail,
    });
    expect(r.series.map((s) => s.plays)).toEqual([1, 2]);
    expect(r.total.plays).toBe(3);
    expect(r.total.likes).toBe(0);
    expect(r.perTrack.get('t1')!.plays).toBe(2);
    expect(r.uniqueListeners).toBe(2);
    expect(r.seriesListeners).toEqual([1, 2]);
    expect(r.tailEvents).toBe(3);
  });
});
