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
export type Tally = Record<CountField, number> & Record<BreakdownField, Record<string, number>>;

export const emptyTally = (): Tally => {
  const t = {} as Tally;
  for (const f of countFields) t[f] = 0;
  for (const f of breakdownFields) t[f] = {};
  return t;
};

export const cloneTally = (t: Tally): Tally => {
  const c = { ...t };
  for (const f of breakdownFields) c[f] = { ...t[f] };
  return c;
};

const bump = (map: Record<string, number>, key: string, by: number) => {
  map[key] = (map[key] ?? 0) + by;
};

/** Adds `b` into `a` (mutates and returns `a`). */
export function addTally(a: Tally, b: Tally): Tally {
  for (const f of countFields) a[f] += b[f];
  for (const f of breakdownFields) for (const k in b[f]) bump(a[f], k, b[f][k]!);
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
