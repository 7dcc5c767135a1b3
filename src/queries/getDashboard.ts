import { ForbiddenError, ValidationError } from '../errors';
import { average, engagement, growth, playlistsOf } from './metrics';
import { resolveRange, type DashboardQuery } from './queryParams';
import { seriesGranularity } from './rangePlanner';
import type { RangeReader, TrackInfo } from './rangeReader';
import type { RoundTrips } from './roundTrips';
import type { RawEvent } from './tally';
import { newestFirst, type recentTypes, type TrackEvents } from './trackEvents';

const iso = (t: number) => new Date(t).toISOString();

export type Viewer = { role: 'admin' | 'artist' | 'listener'; artistId?: string };

/** Which artist the dashboard is for: an artist sees only their own; an admin names one. */
export function dashboardArtist(viewer: Viewer, q: DashboardQuery): string {
  if (viewer.role === 'artist') {
    if (q.artistId !== undefined && q.artistId !== viewer.artistId) {
      throw new ForbiddenError('an artist sees only their own dashboard');
    }
    return viewer.artistId!;
  }
  if (viewer.role === 'admin') {
    if (!q.artistId) {
      throw new ValidationError('invalid query: artistId', [
        { path: 'artistId', message: 'required for an admin' },
      ]);
    }
    return q.artistId;
  }
  throw new ForbiddenError('the dashboard is for artists');
}

/**
 * The artist's newest plays and likes, from the replayed streams (every event, including those
 * not projected yet). The `recent_activity` read model answers the same, but needs a sorted
 * query that FerretDB can only serve by scanning the collection.
 */
function recentActivity(tracks: readonly TrackInfo[], events: ReadonlyMap<string, TrackEvents>) {
  const title = new Map(tracks.map((t) => [t.trackId, t.title ?? null]));
  // Each track keeps its newest plays and likes as they are appended; the best of all tracks.
  const newest = (type: (typeof recentTypes)[number], keep: number) => {
    const trackOf = new Map<RawEvent, string>();
    const candidates: RawEvent[] = [];
    for (const [trackId, stream] of events) {
      const list = stream.newest[type];
      for (let i = 0; i < list.length && i < keep; i++) {
        candidates.push(list[i]!);
        trackOf.set(list[i]!, trackId);
      }
    }
    return candidates
      .sort(newestFirst)
      .slice(0, keep)
      .map((e) => ({ ...e, trackId: trackOf.get(e)! }));
  };
  // Listener ids are personal data: the artist sees what was played, not by whom.
  return {
    plays: newest('TrackPlayed', 10).map((p) => ({
      trackId: p.trackId,
      title: title.get(p.trackId) ?? null,
      at: new Date(p.at).toISOString(),
      source: p.key ?? null,
      durationSeconds: p.durationSeconds,
      completionRate: p.completionRate,
    })),
    likes: newest('TrackLiked', 5).map((l) => ({
      trackId: l.trackId,
      title: title.get(l.trackId) ?? null,
      at: new Date(l.at).toISOString(),
    })),
  };
}

/** `GET /api/dashboard/stats`: the artist's own tracks over a range, exact, with growth. */
export async function getDashboard(
  deps: { reader: RangeReader },
  viewer: Viewer,
  q: DashboardQuery,
  now: Date,
  rt: RoundTrips,
) {
  const artistId = dashboardArtist(viewer, q);
  const all = await deps.reader.tracksOfArtist(artistId, rt);
  let tracks = all;
  if (q.trackId !== undefined) {
    const own = all.find((t) => t.trackId === q.trackId);
    if (!own) throw new ForbiddenError(`track ${q.trackId} is not one of this artist's tracks`);
    tracks = [own];
  }
  const earliest =
    q.timeRange === 'all' && q.from === undefined
      ? await deps.reader.earliest(tracks, rt)
      : undefined;
  const range = resolveRange(q, now.getTime(), earliest);
  const length = range.to - range.from;
  const previous = { from: range.from - length, to: range.from, timeRange: range.timeRange };
  const trackIds = tracks.map((t) => t.trackId);
  const [current, before] = await deps.reader.read(
    trackIds,
    [{ range, series: seriesGranularity(range.from, range.to) }, { range: previous }],
    rt,
  );
  const recent = recentActivity(tracks, current!.events);
  const t = current!.stats.total;
  const p = before!.stats.total;
  const title = new Map(tracks.map((x) => [x.trackId, x.title ?? null]));
  const topTracks = [...current!.stats.perTrack]
    .map(([trackId, s]) => ({
      trackId,
      title: title.get(trackId) ?? null,
      plays: s.plays,
      likes: s.likes,
      shares: s.shares,
      saves: s.saves,
      downloads: s.downloads,
    }))
    .sort((a, b) => b.plays - a.plays || (a.trackId < b.trackId ? -1 : 1))
    .slice(0, 5);
  return {
    artistId,
    ...(q.trackId !== undefined ? { trackId: q.trackId } : {}),
    timeRange: range.timeRange,
    from: iso(range.from),
    to: iso(range.to),
    overview: {
      totalTracks: tracks.length,
      totalPlays: t.plays,
      totalLikes: t.likes,
      totalShares: t.shares,
      totalDownloads: t.downloads,
      totalSaves: t.saves,
      uniqueListeners: current!.stats.uniqueListeners,
      avgDuration: average(t.durationSum, t.plays),
      avgCompletionRate: average(t.completionSum, t.plays),
    },
    recentActivity: recent,
    topTracks,
    engagement: engagement(t),
    playlists: playlistsOf(t),
    growth: {
      previousFrom: iso(previous.from),
      previousTo: iso(previous.to),
      plays: growth(t.plays, p.plays),
      likes: growth(t.likes, p.likes),
      shares: growth(t.shares, p.shares),
    },
    series: current!.plan.map((b, i) => ({
      from: iso(b.start),
      to: iso(b.end),
      plays: current!.stats.series[i]!.plays,
      likes: current!.stats.series[i]!.likes,
      shares: current!.stats.series[i]!.shares,
    })),
    coverage: current!.coverage(current!.stats),
  };
}
