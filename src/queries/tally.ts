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

/** One raw event as the replay keeps it: compact, listener already hashed. */
export type RawEvent = {
  /** The event's id (the client's event id). */
  id: string;
  /** occurredAt, epoch ms. */
  at: number;
  /** Commit position in $all. */
  pos: number;
  type: string;
  /** hashListener(listenerId), for counted plays' unique listeners. */
  listener: number;
  durationSeconds: number;
  completionRate: number;
  replayed: boolean;
  /** Play source, share platform or save/unsave playlist id. */
  key?: string;
};

/** Adds one raw event the way the rollup projection counts it. Returns the listener hash of a counted play. */
export function addRaw(t: Tally, e: RawEvent): number | undefined {
  switch (e.type) {
    case 'TrackPlayed':
      t.plays += 1;
      t.durationSum += e.durationSeconds;
      t.completionSum += e.completionRate;
      if (e.replayed) t.replays += 1;
      if (e.key !== undefined) bump(t.sources, e.key, 1);
      return e.listener;
    case 'TrackSkipped':
      t.skips += 1;
      t.skipDurationSum += e.durationSeconds;
      t.skipCompletionSum += e.completionRate;
      return undefined;
    case 'TrackLiked':
      t.likes += 1;
      return undefined;
    case 'TrackUnliked':
      t.unlikes += 1;
      return undefined;
    case 'TrackSaved':
      t.saves += 1;
      if (e.key !== undefined) bump(t.playlists, e.key, 1);
      return undefined;
    case 'TrackUnsaved':
      t.unsaves += 1;
      if (e.key !== undefined) bump(t.playlistUnsaves, e.key, 1);
      return undefined;
    case 'TrackShared':
      t.shares += 1;
      if (e.key !== undefined) bump(t.platforms, e.key, 1);
      return undefined;
    case 'TrackDownloaded':
      t.downloads += 1;
      return undefined;
    default:
      return undefined;
  }
}
