import type { Db } from 'mongodb';
import {
  newest,
  recentActivityCollection,
  recentLikesKept,
  recentPlaysKept,
  type RecentActivityDoc,
} from '../../projections/recentActivity';
import { ForbiddenError, ValidationError } from '../errors';
import type { ReadModelResolver } from '../projector/readModelPointers';
import { average, engagement, growth, playlistsOf } from './metrics';
import { resolveRange, type DashboardQuery } from './queryParams';
import { seriesGranularity } from './rangePlanner';
import type { RangeReader, TrackInfo } from './rangeReader';
import type { RoundTrips } from './roundTrips';

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

async function recentActivity(
  db: Db,
  resolver: ReadModelResolver,
  tracks: readonly TrackInfo[],
  rt: RoundTrips,
) {
  const collection = db.collection<RecentActivityDoc>(
    await resolver.collection(recentActivityCollection),
  );
  const trackIds = tracks.map((t) => t.trackId);
  const title = new Map(tracks.map((t) => [t.trackId, t.title ?? null]));
  if (trackIds.length === 0) return { plays: [], likes: [] };
  const [playDocs, likeDocs] = await Promise.all([
    rt.count(
      collection
        .find({ trackId: { $in: trackIds }, lastPlayAt: { $exists: true } })
        .sort({ lastPlayAt: -1 })
        .limit(recentPlaysKept)
        .toArray(),
    ),
    rt.count(
      collection
        .find({ trackId: { $in: trackIds }, lastLikeAt: { $exists: true } })
        .sort({ lastLikeAt: -1 })
        .limit(recentLikesKept)
        .toArray(),
    ),
  ]);
  // Listener ids are personal data: the artist sees what was played, not by whom.
  const plays = newest(
    playDocs.flatMap((d) => d.plays.map((p) => ({ ...p, at: new Date(p.at) }))),
    recentPlaysKept,
  ).map((p) => ({
    trackId: p.trackId,
    title: title.get(p.trackId) ?? null,
    at: p.at.toISOString(),
    source: p.source,
    durationSeconds: p.durationSeconds,
    completionRate: p.completionRate,
  }));
  const likes = newest(
    likeDocs.flatMap((d) => d.likes.map((l) => ({ ...l, at: new Date(l.at) }))),
    recentLikesKept,
  ).map((l) => ({
    trackId: l.trackId,
    title: title.get(l.trackId) ?? null,
    at: l.at.toISOString(),
  }));
  return { plays, likes };
}

/** `GET /api/dashboard/stats`: the artist's own tracks over a range, exact, with growth. */
export async function getDashboard(
  deps: { reader: RangeReader; db: Db; resolver: ReadModelResolver },
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
  const [[current, before], recent] = await Promise.all([
    deps.reader.read(
      trackIds,
      [{ range, series: seriesGranularity(range.from, range.to) }, { range: previous }],
      rt,
    ),
    recentActivity(deps.db, deps.resolver, tracks, rt),
  ]);
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
