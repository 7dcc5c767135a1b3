import { decodeKey, listenersOf, type RollupStats } from '../../projections/lib/rollupStats';
import {
  estimate,
  merge,
  sketchOfHashes,
  type ListenerSketch,
} from '../../projections/lib/listenerSketch';

/**
 * Additive statistics of a set of events, in the same terms as the rollups (docs/READ-MODELS.md):
 * `plays` are counted plays (skips are not plays); the sums are over counted plays.
 * Breakdown keys are plain (decoded) ids.
 */
export type Tally = {
  plays: number;
  skips: number;
  likes: number;
  unlikes: number;
  saves: number;
  unsaves: number;
  shares: number;
  downloads: number;
  replays: number;
  durationSum: number;
  completionSum: number;
  sources: Record<string, number>;
  platforms: Record<string, number>;
  playlists: Record<string, number>;
  playlistUnsaves: Record<string, number>;
};

const counts = [
  'plays',
  'skips',
  'likes',
  'unlikes',
  'saves',
  'unsaves',
  'shares',
  'downloads',
  'replays',
  'durationSum',
  'completionSum',
] as const;
const maps = ['sources', 'platforms', 'playlists', 'playlistUnsaves'] as const;

export const emptyTally = (): Tally => ({
  plays: 0,
  skips: 0,
  likes: 0,
  unlikes: 0,
  saves: 0,
  unsaves: 0,
  shares: 0,
  downloads: 0,
  replays: 0,
  durationSum: 0,
  completionSum: 0,
  sources: {},
  platforms: {},
  playlists: {},
  playlistUnsaves: {},
});

const bump = (map: Record<string, number>, key: string, by: number) => {
  map[key] = (map[key] ?? 0) + by;
};

/** Adds `b` into `a` (mutates and returns `a`). */
export function addTally(a: Tally, b: Tally): Tally {
  for (const f of counts) a[f] += b[f];
  for (const f of maps) for (const [k, v] of Object.entries(b[f])) bump(a[f], k, v);
  return a;
}

/** A rollup bucket's statistics as a tally (keys decoded) and its listener sketch. */
export function fromStats(stats: RollupStats | undefined): {
  tally: Tally;
  sketch?: ListenerSketch;
} {
  const tally = emptyTally();
  if (!stats) return { tally };
  for (const f of counts) tally[f] = stats[f] ?? 0;
  for (const f of maps) {
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

/**
 * Unique listeners over a range: the union of the rollup buckets' sketches and the replayed
 * listeners, never a sum of per-bucket counts. Exact while small (≤ 2,048), HLL beyond.
 */
export class ListenerUnion {
  /** Hashes of sparse (exact) sketches and of replayed listeners: a plain set union. */
  private readonly hashes = new Set<number>();
  private readonly dense: ListenerSketch[] = [];

  addSketch(sketch: ListenerSketch | undefined): void {
    if (!sketch) return;
    if (sketch.kind === 'sparse') for (const h of sketch.hashes) this.hashes.add(h);
    else this.dense.push(sketch);
  }

  addHash(hash: number | undefined): void {
    if (hash !== undefined) this.hashes.add(hash);
  }

  /** Same as estimate(mergeAll(...)) of every input, without a copy per merge. */
  count(): number {
    let acc = sketchOfHashes(this.hashes);
    for (const d of this.dense) acc = merge(acc, d);
    return estimate(acc);
  }
}
