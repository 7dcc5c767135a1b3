import fc from 'fast-check';
import {
  planRange,
  planSeries,
  planSeriesCached,
  seriesGranularity,
  type Piece,
} from './rangePlanner';
import { floorTo, granularities, isAligned, nextBucket } from './timeBuckets';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const span = (p: Piece) => `${p.kind}:${'granularity' in p ? p.granularity : 'raw'}`;

// 2019-01-01 … 2031-01-01, millisecond resolution: ragged edges everywhere.
const instant = fc.integer({ min: at('2019-01-01T00:00:00Z'), max: at('2031-01-01T00:00:00Z') });

/** Plain checks (not one expect per piece): thousands of runs stay fast. */
function assertStitched(pieces: { start: number; end: number }[], from: number, to: number) {
  const ok =
    pieces[0]?.start === from &&
    pieces[pieces.length - 1]?.end === to &&
    pieces.every((p, i) => p.start < p.end && (i === 0 || p.start === pieces[i - 1]!.end));
  if (!ok) throw new Error(`not stitched over [${from}, ${to}): ${JSON.stringify(pieces)}`);
}

function assert(ok: boolean, message: string) {
  if (!ok) throw new Error(message);
}

describe('planRange', () => {
  it('stitches whole aligned buckets and raw edges without gaps or overlaps', () => {
    fc.assert(
      fc.property(instant, instant, instant, (a, b, now) => {
        const [from, to] = a < b ? [a, b] : [b, a];
        fc.pre(from < to);
        const pieces = planRange(from, to, { rollupsUntil: now });
        assertStitched(pieces, from, to);
        const open = floorTo(now, 'hour');
        for (const p of pieces) {
          if (p.kind === 'rollup') {
            assert(isAligned(p.start, p.granularity), `unaligned ${JSON.stringify(p)}`);
            assert(nextBucket(p.start, p.granularity) === p.end, `not whole ${JSON.stringify(p)}`);
            assert(p.end <= open, `rollup past the open hour ${JSON.stringify(p)}`);
          }
        }
        const raw = pieces.filter((p) => p.kind === 'raw');
        assert(raw.length <= 2, 'raw only at the edges');
        // Raw replay only for what no hour bucket can cover.
        const rollups = pieces.filter((p) => p.kind === 'rollup');
        if (rollups.length > 0) {
          for (const r of raw) {
            if (r.end === rollups[0]!.start) assert(r.end - r.start < HOUR, 'left edge < 1h');
            else assert(r.start === Math.min(floorTo(to, 'hour'), open), 'right edge');
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('uses no more buckets than the canonical hour/day/month/year cover', () => {
    fc.assert(
      fc.property(instant, instant, (a, b) => {
        const [from, to] = [floorTo(Math.min(a, b), 'hour'), floorTo(Math.max(a, b), 'hour')];
        fc.pre(from < to);
        const pieces = planRange(from, to, { rollupsUntil: to });
        let canonical = 0;
        for (let t = from; t < to; canonical++) {
          const g = (['year', 'month', 'day', 'hour'] as const).find(
            (g) => isAligned(t, g) && nextBucket(t, g) <= to,
          )!;
          t = nextBucket(t, g);
        }
        assert(pieces.length <= canonical, `${pieces.length} > ${canonical}`);
      }),
    );
  });

  it('prefers months over straddling weeks, and weeks inside a month', () => {
    const p = planRange(at('2025-01-27T00:00:00Z'), at('2025-04-01T00:00:00Z'), {
      rollupsUntil: at('2026-01-01T00:00:00Z'),
    });
    expect(p.map(span)).toEqual([...Array(5).fill('rollup:day'), 'rollup:month', 'rollup:month']);
    const w = planRange(at('2026-11-02T00:00:00Z'), at('2026-11-25T00:00:00Z'), {
      rollupsUntil: at('2027-01-01T00:00:00Z'),
    });
    // 2026-11-02 and 2026-11-23 are Mondays.
    expect(w.map(span)).toEqual([
      'rollup:week',
      'rollup:week',
      'rollup:week',
      'rollup:day',
      'rollup:day',
    ]);
  });

  it('replays the open hour and anything after the rollups raw, and an in-hour range whole', () => {
    const now = at('2026-11-26T16:20:00Z');
    const p = planRange(at('2026-11-25T16:20:00Z'), now, { rollupsUntil: now });
    expect(p[0]).toEqual({
      kind: 'raw',
      start: at('2026-11-25T16:20:00Z'),
      end: at('2026-11-25T17:00:00Z'),
    });
    expect(p[p.length - 1]).toEqual({ kind: 'raw', start: at('2026-11-26T16:00:00Z'), end: now });
    expect(p.filter((x) => x.kind === 'rollup').map(span)).toEqual([
      ...Array(7).fill('rollup:hour'),
      ...Array(16).fill('rollup:hour'),
    ]);
    expect(
      planRange(at('2026-11-26T16:01:00Z'), at('2026-11-26T16:02:00Z'), { rollupsUntil: now }),
    ).toEqual([
      { kind: 'raw', start: at('2026-11-26T16:01:00Z'), end: at('2026-11-26T16:02:00Z') },
    ]);
    expect(planRange(now, now, { rollupsUntil: now })).toEqual([]);
  });
});

describe('planSeries', () => {
  it('never crosses a series bucket, and the series stitches the whole range', () => {
    fc.assert(
      fc.property(instant, instant, instant, (a, b, now) => {
        const [from, to] = a < b ? [a, b] : [b, a];
        fc.pre(from < to);
        const series = seriesGranularity(from, to);
        const plan = planSeries(from, to, { rollupsUntil: now, series });
        assert(granularities.includes(series), series);
        assertStitched(plan, from, to);
        for (const b of plan) {
          assertStitched(b.pieces, b.start, b.end);
          assert(b.end <= nextBucket(b.start, series), 'crosses a series bucket');
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('planSeriesCached', () => {
  it('gives what planSeries gives, for ranges whose edges move within their hours', () => {
    const H = 3_600_000;
    const base = Date.UTC(2026, 1, 27, 13);
    fc.assert(
      fc.property(
        fc.integer({ min: -800 * 24, max: 24 }),
        fc.integer({ min: 1, max: 900 * 24 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: H - 1 }), fc.integer({ min: 0, max: H - 1 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer({ min: -48, max: 48 }),
        fc.constantFrom(0, 1),
        (fromHour, hours, offsets, untilHour, aligned) => {
          for (const [a, b] of offsets) {
            const from = base + fromHour * H + (aligned ? 0 : a);
            const to = base + (fromHour + hours) * H + (aligned ? 0 : b);
            const rollupsUntil = base + untilHour * H + a;
            const series = seriesGranularity(from, to);
            expect(planSeriesCached(from, to, { rollupsUntil, series })).toEqual(
              planSeries(from, to, { rollupsUntil, series }),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
