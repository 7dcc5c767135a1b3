import { ForbiddenError, ValidationError } from '../errors';
import { average, engagement, growth, playlistsOf } from './metrics';
import { resolveRange, type DashboardQuery } from './queryParams';
import type { RoundTrips } from './roundTrips';
import { coverageOf, seriesOf } from './seriesPlan';
import type { QueryData } from './statsQueries';
import { localLabel } from './zonedTime';
import { earliestOf } from './getAnalytics';
import type { TrackRecent } from '../../projections/lib/rollupCells';
import {
  newest,
  recentLike,
  recentLikesKept,
  recentPlay,
  recentPlaysKept,
  type RecentLike,
  type RecentPlay,
} from '../../projections/lib/recent';
import type { TrackBinding } from '../../projections/trackRollups';
import type { TrackEvent } from '../events/stored';

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
 * The artist's newest plays and likes: each track's newest from the hour partitions (the
 * rollups keep them per track) and from the log past the checkpoint.
 */
function recentActivity(
  tracks: readonly TrackBinding[],
  lists: readonly TrackRecent[],
  tail: readonly TrackEvent[],
) {
  const title = new Map(tracks.map((t) => [t.trackId, t.title ?? null]));
  const plays: RecentPlay[] = [];
  const likes: RecentLike[] = [];
  for (const list of lists) {
    for (const t of tracks) {
      plays.push(...(list.get(t.trackId)?.plays ?? []));
      likes.push(...(list.get(t.trackId)?.likes ?? []));
    }
  }
  for (const e of tail) {
    if (!title.has(e.data.trackId)) continue;
    if (e.type === 'TrackPlayed') plays.push(recentPlay(e));
    else if (e.type === 'TrackLiked') likes.push(recentLike(e));
  }
  // Listener ids are personal data: the artist sees what was played, not by whom.
  return {
    plays: newest(plays, recentPlaysKept).map((p) => ({
      trackId: p.trackId,
      title: title.get(p.trackId) ?? null,
      at: p.at.toISOString(),
      source: p.source,
      durationSeconds: p.durationSeconds,
      completionRate: p.completionRate,
    })),
    likes: newest(likes, recentLikesKept).map((l) => ({
      trackId: l.trackId,
      title: title.get(l.trackId) ?? null,
      at: l.at.toISOString(),
    })),
  };
}

const HOUR = 3_600_000;

/** `GET /api/dashboard/stats`: the artist's own tracks over a range, exact, with growth. */
export async function getDashboard(
  data: QueryData,
  viewer: Viewer,
  q: DashboardQuery,
  now: Date,
  rt: RoundTrips,
) {
  const artistId = dashboardArtist(viewer, q);
  const all = data.catalog.tracksOf(artistId);
  let tracks = all;
  if (q.trackId !== undefined) {
    const own = all.find((t) => t.trackId === q.trackId);
    if (!own) throw new ForbiddenError(`track ${q.trackId} is not one of this artist's tracks`);
    tracks = [own];
  }
  const range = resolveRange(q, now.getTime(), earliestOf(tracks));
  const { granularity, buckets } = seriesOf(range);
  // The previous period: as long as this one (in whole hours), ending where it starts.
  const length = Math.ceil((range.to - range.from) / HOUR) * HOUR;
  const previous = { start: range.from - length, end: range.from };
  const { snap, stats, plans } = await data.ranges(
    tracks,
    [
      { buckets, to: range.to },
      { buckets: [previous], to: previous.end },
    ],
    rt,
  );
  const current = stats[0]!;
  const t = current.total;
  const p = stats[1]!.total;
  const { lists, tail } = await data.recent(tracks, snap, now.getTime(), rt);
  const topTracks = [...current.perTrack]
    .map(([trackId, s]) => ({
      trackId,
      title: tracks.find((x) => x.trackId === trackId)?.title ?? null,
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
    tz: range.tz,
    overview: {
      totalTracks: tracks.length,
      totalPlays: t.plays,
      totalLikes: t.likes,
      totalShares: t.shares,
      totalDownloads: t.downloads,
      totalSaves: t.saves,
      uniqueListeners: current.uniqueListeners,
      avgDuration: average(t.durationSum, t.plays),
      avgCompletionRate: average(t.completionSum, t.plays),
    },
    recentActivity: recentActivity(tracks, lists, tail),
    topTracks,
    engagement: engagement(t),
    playlists: playlistsOf(t),
    growth: {
      previousFrom: iso(previous.start),
      previousTo: iso(previous.end),
      plays: growth(t.plays, p.plays),
      likes: growth(t.likes, p.likes),
      shares: growth(t.shares, p.shares),
    },
    seriesGranularity: granularity,
    series: buckets.map((b, i) => ({
      from: iso(b.start),
      to: iso(b.end),
      label: localLabel(b.start, granularity, range.tz),
      plays: current.series[i]!.plays,
      uniqueListeners: current.seriesListeners[i]!,
      likes: current.series[i]!.likes,
      shares: current.series[i]!.shares,
    })),
    coverage: coverageOf(plans[0]!, snap, current.tailEvents),
  };
}
