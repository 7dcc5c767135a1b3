import { ceilTo, floorTo, isAligned, nextBucket, type Granularity } from './timeBuckets';

/**
 * One part of a planned range. `rollup` pieces are whole buckets read from the rollups;
 * `raw` pieces are replayed from the track streams (ragged edges, the open hour, anything
 * the rollups cannot cover). Intervals are half-open: [start, end), epoch milliseconds.
 */
export type Piece =
  | { kind: 'rollup'; granularity: Granularity; start: number; end: number }
  | { kind: 'raw'; start: number; end: number };

export type PlanOptions = {
  /** Rollup buckets may be used only up to here (the start of the open hour). */
  rollupsUntil: number;
  /** Coarsest granularity to use (series buckets must not be crossed). Default: year. */
  coarsest?: Granularity;
};

/** Granularities that nest: each bucket is a whole number of the finer ones. */
const nested: Granularity[] = ['year', 'month', 'day', 'hour'];
const withWeeks: Granularity[] = ['year', 'month', 'week', 'day', 'hour'];
const rank: Record<Granularity, number> = { hour: 0, day: 1, week: 2, month: 3, year: 4 };

/** Coarsest-first greedy cover of the hour-aligned [start, end) with whole buckets. */
function cover(start: number, end: number, order: Granularity[]): Piece[] {
  const pieces: Piece[] = [];
  let t = start;
  while (t < end) {
    const g = order.find((g) => isAligned(t, g) && nextBucket(t, g) <= end);
    // Hours always fit: start and end are hour-aligned.
    const granularity = g ?? 'hour';
    const next = nextBucket(t, granularity);
    pieces.push({ kind: 'rollup', granularity, start: t, end: next });
    t = next;
  }
  return pieces;
}

/**
 * Splits [from, to) into the fewest whole rollup buckets that fit, plus raw pieces for what
 * they cannot cover, stitched without gaps or overlaps and in time order. Greedy coarsest-first
 * is optimal for the nested hour/day/month/year buckets; weeks straddle months, so both covers
 * are computed and the one with fewer pieces wins.
 */
export function planRange(from: number, to: number, options: PlanOptions): Piece[] {
  if (!(from < to)) return [];
  const coarsest = options.coarsest ?? 'year';
  const allowed = (g: Granularity) => rank[g] <= rank[coarsest];
  const coveredStart = ceilTo(from, 'hour');
  const coveredEnd = Math.min(floorTo(to, 'hour'), floorTo(options.rollupsUntil, 'hour'));
  if (coveredStart >= coveredEnd) return [{ kind: 'raw', start: from, end: to }];
  const candidates = [nested.filter(allowed), withWeeks.filter(allowed)].map((order) =>
    cover(coveredStart, coveredEnd, order),
  );
  const best = candidates.reduce((a, b) => (b.length < a.length ? b : a));
  const pieces: Piece[] = [];
  if (from < coveredStart) pieces.push({ kind: 'raw', start: from, end: coveredStart });
  pieces.push(...best);
  if (coveredEnd < to) pieces.push({ kind: 'raw', start: coveredEnd, end: to });
  return pieces;
}

/** The buckets a series of granularity `g` shows over [from, to), clipped to the range. */
export function seriesBuckets(
  from: number,
  to: number,
  g: Granularity,
): { start: number; end: number }[] {
  const buckets: { start: number; end: number }[] = [];
  for (let t = from; t < to;) {
    const end = Math.min(to, nextBucket(t, g));
    buckets.push({ start: t, end });
    t = end;
  }
  return buckets;
}

/** Series granularity for a range: about a dozen to a hundred points. */
export function seriesGranularity(from: number, to: number): Granularity {
  const days = (to - from) / 86_400_000;
  if (days <= 2) return 'hour';
  if (days <= 62) return 'day';
  if (days <= 200) return 'week';
  if (days <= 1100) return 'month';
  return 'year';
}

/**
 * The whole plan of a range with a series: each series bucket planned on its own (never
 * crossing a series boundary), so totals are the sum of the series and both are exact.
 */
export function planSeries(
  from: number,
  to: number,
  options: PlanOptions & { series: Granularity },
): { start: number; end: number; pieces: Piece[] }[] {
  return seriesBuckets(from, to, options.series).map((b) => ({
    ...b,
    pieces: planRange(b.start, b.end, {
      rollupsUntil: options.rollupsUntil,
      coarsest: options.series,
    }),
  }));
}

const HOUR = 3_600_000;
const planMemo = new Map<string, { start: number; end: number; pieces: Piece[] }[]>();

/**
 * `planSeries`, reused within the hour: for the same hours of `from`, `to` and `rollupsUntil`
 * (and whether `from` and `to` are on the hour), plans differ only in where the first bucket
 * starts and the last one ends (the raw edge pieces), so a cached plan is copied with those
 * two edges moved. Same result as `planSeries` (unit-tested).
 */
export function planSeriesCached(
  from: number,
  to: number,
  options: { rollupsUntil: number; series: Granularity },
): { start: number; end: number; pieces: Piece[] }[] {
  if (!(from < to)) return [];
  const hour = (t: number) => `${Math.floor(t / HOUR)}${t % HOUR === 0 ? 'a' : ''}`;
  const key = `${options.series}|${hour(from)}|${hour(to)}|${Math.floor(options.rollupsUntil / HOUR)}`;
  let cached = planMemo.get(key);
  if (!cached) {
    cached = planSeries(from, to, options);
    planMemo.set(key, cached);
    if (planMemo.size > 1000) planMemo.delete(planMemo.keys().next().value!);
  }
  const last = cached.length - 1;
  return cached.map((b, i) => {
    if (i !== 0 && i !== last) return b;
    const pieces = b.pieces.map((p, k) => {
      if (p.kind !== 'raw') return p;
      return {
        ...p,
        ...(i === 0 && k === 0 ? { start: from } : {}),
        ...(i === last && k === b.pieces.length - 1 ? { end: to } : {}),
      };
    });
    return { start: i === 0 ? from : b.start, end: i === last ? to : b.end, pieces };
  });
}
