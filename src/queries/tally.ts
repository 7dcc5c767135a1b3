import {
  breakdownFields,
  countFields,
  decodeKey,
  listenersOf,
  type BreakdownField,
  type CountField,
  type RollupStats,
} from '../../projections/lib/rollupStats';
import type { ListenerSketch } from '../../projections/lib/listenerSketch';

/**
 * Additive statistics of a set of events: the rollups' `RollupStats` (docs/READ-MODELS.md) with
 * every field present, breakdown keys plain (decoded) ids. `plays` are counted plays (skips are
 * not plays); the sums are over counted plays, the `skip…Sum`s over skips.
 */
export type Tally = Counts & Record<BreakdownField, Record<string, number>>;

/** The counts and sums of a tally without its breakdowns (what series buckets and tracks show). */
export type Counts = Record<CountField, number>;

export const emptyCounts = (): Counts => {
  const c = {} as Counts;
  for (const f of countFields) c[f] = 0;
  return c;
};

export const emptyTally = (): Tally => {
  const t = {} as Tally;
  for (const f of countFields) t[f] = 0;
  for (const f of breakdownFields) t[f] = {};
  return t;
};

const bump = (map: Record<string, number>, key: string, by: number) => {
  map[key] = (map[key] ?? 0) + by;
};

/** Adds `b` into `a` (mutates and returns `a`). */
export function addTally(a: Tally, b: Tally): Tally {
  addCounts(a, b);
  for (const f of breakdownFields) for (const k in b[f]) bump(a[f], k, b[f][k]!);
  return a;
}

/** Adds the counts of `b` into `a` (mutates and returns `a`). */
export function addCounts<T extends Counts>(a: T, b: Counts): T {
  for (const f of countFields) a[f] += b[f];
  return a;
}

/** A rollup bucket's statistics as a tally (keys decoded) and its listener sketch. */
export function fromStats(stats: RollupStats | undefined): {
  tally: Tally;
  sketch?: ListenerSketch;
} {
  const tally = emptyTally();
  if (!stats) return { tally };
  for (const f of countFields) tally[f] = stats[f] ?? 0;
  for (const f of breakdownFields) {
    for (const [k, v] of Object.entries(stats[f] ?? {})) bump(tally[f], decodeKey(k), v);
  }
  return stats.listeners ? { tally, sketch: listenersOf(stats) } : { tally };
}
