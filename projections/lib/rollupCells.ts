import {
  newest,
  recentLikesKept,
  recentPlaysKept,
  type RecentLike,
  type RecentPlay,
} from './recent';
import { mergeStatsList, type RollupStats } from './rollupStats';

/**
 * The content of one rollup document: per track, per cell key, the statistics (plus, in hour
 * partitions, each track's newest plays and likes). How it is stored is the adapter's choice
 * (src/readModels/rollups/packing.ts); here it is only merged.
 */
export type TrackCells = Map<string, Record<string, RollupStats>>;
export type TrackRecent = Map<string, { plays: RecentPlay[]; likes: RecentLike[] }>;

/** Cells of disjoint event sets added together (per track and key: `mergeStatsList`). */
export function mergeCells(list: readonly TrackCells[]): TrackCells {
  if (list.length === 1) return list[0]!;
  const gathered = new Map<string, Map<string, RollupStats[]>>();
  for (const cells of list) {
    for (const [trackId, byKey] of cells) {
      let keys = gathered.get(trackId);
      if (!keys) gathered.set(trackId, (keys = new Map()));
      for (const key of Object.keys(byKey)) {
        const l = keys.get(key);
        if (l) l.push(byKey[key]!);
        else keys.set(key, [byKey[key]!]);
      }
    }
  }
  const out: TrackCells = new Map();
  for (const [trackId, keys] of gathered) {
    out.set(trackId, Object.fromEntries([...keys].map(([k, l]) => [k, mergeStatsList(l)])));
  }
  return out;
}

/** Per track, the newest plays and likes of all lists. */
export function mergeRecent(list: readonly TrackRecent[]): TrackRecent {
  if (list.length === 1) return list[0]!;
  const out: TrackRecent = new Map();
  const tracks = new Set(list.flatMap((r) => [...r.keys()]));
  for (const trackId of tracks) {
    const parts = list.map((r) => r.get(trackId)).filter((r) => r !== undefined);
    out.set(trackId, {
      plays: newest(
        parts.flatMap((p) => p.plays),
        recentPlaysKept,
      ),
      likes: newest(
        parts.flatMap((p) => p.likes),
        recentLikesKept,
      ),
    });
  }
  return out;
}
