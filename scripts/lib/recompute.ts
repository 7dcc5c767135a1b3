import { isDeepStrictEqual } from 'node:util';
import { signToken } from '../../src/auth/token';
import { connectEventStore } from '../../src/eventstore/esdbEventStore';
import type { SpawnedService } from './service';

export type TrackCounts = { plays: number; skips: number; likes: number };

/**
 * Counts per track straight from the log (the oracle), the ids of the listener facts (plays,
 * skips, likes; not catalog events) and every event id seen twice.
 */
export async function countsFromLog(eventStoreUrl: string, tracks: string[]) {
  const store = connectEventStore(eventStoreUrl);
  const counts = new Map<string, TrackCounts>();
  const seen = new Set<string>();
  const ids = new Set<string>();
  const twice: string[] = [];
  try {
    for (const trackId of tracks) {
      const c = { plays: 0, skips: 0, likes: 0 };
      for await (const e of store.readStream(`track-${trackId}`)) {
        if (e.type.startsWith('$')) continue;
        if (seen.has(e.id)) twice.push(e.id);
        seen.add(e.id);
        if (e.type === 'TrackPlayed') c.plays++;
        else if (e.type === 'TrackSkipped') c.skips++;
        else if (e.type === 'TrackLiked') c.likes++;
        else continue;
        ids.add(e.id);
      }
      counts.set(trackId, c);
    }
  } finally {
    await store.close();
  }
  return { counts, ids, twice };
}

async function getJson(url: string, token?: string): Promise<unknown> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

/** What the API answers for a track's counters, in the oracle's shape. */
export async function countsFromApi(
  service: SpawnedService,
  trackId: string,
): Promise<TrackCounts> {
  const r = (await getJson(`${service.url}/api/tracks/${trackId}`).catch(() => ({}))) as {
    playCount?: number;
    skipCount?: number;
    likeCount?: number;
  };
  return { plays: r.playCount ?? 0, skips: r.skipCount ?? 0, likes: r.likeCount ?? 0 };
}

/** Whether every service's counters (through the API) equal `counts` (the log's) for every track. */
export async function countersMatch(
  services: readonly SpawnedService[],
  tracks: readonly string[],
  counts: ReadonlyMap<string, TrackCounts>,
): Promise<boolean> {
  for (const service of services) {
    for (const t of tracks) {
      const c = await countsFromApi(service, t);
      const want = counts.get(t)!;
      if (c.plays !== want.plays || c.skips !== want.skips || c.likes !== want.likes) return false;
    }
  }
  return true;
}

/**
 * Every read model as the API shows it: counters (trackCounters), analytics over closed hours
 * (trackRollups), the artist's dashboard with its recent activity (trackRollups' hour partitions).
 */
export async function readModelView(
  service: SpawnedService,
  options: { tracks: string[]; artistId: string; from: Date; to: Date; secret: string },
) {
  const admin = signToken(options.secret, { sub: 'verify', role: 'admin' });
  const artist = signToken(options.secret, {
    sub: 'verify-artist',
    role: 'artist',
    artistId: options.artistId,
  });
  const range = `from=${options.from.toISOString()}&to=${options.to.toISOString()}`;
  const view: Record<string, unknown> = {};
  for (const trackId of options.tracks) {
    view[`counters ${trackId}`] = await countsFromApi(service, trackId);
    const a = (await getJson(
      `${service.url}/api/stats/analytics?trackId=${trackId}&${range}`,
      admin,
    )) as Record<string, unknown>;
    view[`rollups ${trackId}`] = { plays: a.plays, likes: a.likes, series: a.series };
  }
  const d = (await getJson(`${service.url}/api/dashboard/stats?timeRange=7d`, artist)) as Record<
    string,
    unknown
  >;
  view.dashboard = {
    overview: d.overview,
    recentActivity: d.recentActivity,
    topTracks: d.topTracks,
  };
  return view;
}

/** Keys whose values differ between two views (empty when equal). */
export function differences(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !isDeepStrictEqual(a[k], b[k]));
}
