import {
  newest,
  recentLikesKept,
  recentPlaysKept,
  type RecentLike,
  type RecentPlay,
} from '../recentActivity';
import { mergeStatsList, packStatsMap, reviveStatsMap, type RollupStats } from './rollupStats';

/**
 * The packed content of one rollup document: per track, per cell key, the statistics (plus,
 * in hour partitions, each track's newest plays and likes). Packed as one JSON string each:
 * FerretDB's cost is per stored field and nested object, a string costs it least.
 */
export type TrackCells = Map<string, Record<string, RollupStats>>;
export type TrackRecent = Map<string, { plays: RecentPlay[]; likes: RecentLike[] }>;

export function packCells(cells: TrackCells): string {
  const parts: string[] = [];
  for (const [trackId, map] of cells) parts.push(`${JSON.stringify(trackId)}:${packStatsMap(map)}`);
  return `{${parts.join(',')}}`;
}

export function unpackCells(json: string | undefined): TrackCells {
  const out: TrackCells = new Map();
  if (!json) return out;
  const raw = JSON.parse(json) as Record<string, unknown>;
  for (const trackId of Object.keys(raw)) {
    out.set(trackId, reviveStatsMap(raw[trackId] as Record<string, unknown>));
  }
  return out;
}

export function packRecent(recent: TrackRecent): string | undefined {
  if (recent.size === 0) return undefined;
  return JSON.stringify(Object.fromEntries(recent));
}

export function unpackRecent(json: string | undefined): TrackRecent {
  const out: TrackRecent = new Map();
  if (!json) return out;
  const raw = JSON.parse(json) as Record<string, { plays: RecentPlay[]; likes: RecentLike[] }>;
  const revive = <T extends { at: Date | string }>(list: T[]) =>
    list.map((item) => ({ ...item, at: new Date(item.at) }));
  for (const [trackId, r] of Object.entries(raw)) {
    out.set(trackId, { plays: revive(r.plays), likes: revive(r.likes) });
  }
  return out;
}

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
