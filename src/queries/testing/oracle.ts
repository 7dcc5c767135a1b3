/**
 * A deliberately naive recomputation of every query metric straight from raw stored events,
 * written without the production code (tests compare the endpoints against it).
 */
export type StoredFact = {
  id: string;
  type: string;
  trackId: string;
  at: number;
  listenerId: string;
  source?: string;
  platform?: string;
  playlistId?: string;
  durationSeconds?: number;
  completionRate?: number;
  replayed?: boolean;
};

const r2 = (x: number) => Math.round(x * 100) / 100 + 0;
const pct = (n: number, d: number) => (d === 0 ? 0 : r2((n / d) * 100));
const avg = (xs: number[]) => (xs.length === 0 ? 0 : r2(xs.reduce((a, b) => a + b, 0) / xs.length));
const countBy = (xs: (string | undefined)[], known: string[]) => {
  const out: Record<string, number> = Object.fromEntries(known.map((k) => [k, 0]));
  for (const x of xs) if (x !== undefined) out[x] = (out[x] ?? 0) + 1;
  return out;
};
const SOURCES = ['landing', 'playlist', 'search', 'direct', 'share', 'player'];
const PLATFORMS = ['twitter', 'facebook', 'instagram', 'whatsapp', 'copy_link', 'embed'];

export function within(facts: StoredFact[], from: number, to: number) {
  return facts.filter((f) => f.at >= from && f.at < to);
}

const of = (facts: StoredFact[], type: string) => facts.filter((f) => f.type === type);

export function oracleAnalytics(all: StoredFact[], from: number, to: number) {
  const facts = within(all, from, to);
  const plays = of(facts, 'TrackPlayed');
  const skips = of(facts, 'TrackSkipped');
  return {
    plays: {
      totalPlays: plays.length,
      totalSkips: skips.length,
      uniqueListeners: new Set(plays.map((p) => p.listenerId)).size,
      sourceBreakdown: countBy(
        plays.map((p) => p.source),
        SOURCES,
      ),
      avgDuration: avg(plays.map((p) => p.durationSeconds!)),
      avgCompletionRate: avg(plays.map((p) => p.completionRate!)),
      skipRate: pct(skips.length, plays.length + skips.length),
      replayRate: pct(plays.filter((p) => p.replayed).length, plays.length),
    },
    likes: {
      totalLikes: of(facts, 'TrackLiked').length,
      totalUnlikes: of(facts, 'TrackUnliked').length,
    },
    shares: {
      totalShares: of(facts, 'TrackShared').length,
      platformBreakdown: countBy(
        of(facts, 'TrackShared').map((s) => s.platform),
        PLATFORMS,
      ),
    },
    downloads: { totalDownloads: of(facts, 'TrackDownloaded').length },
    saves: {
      totalSaves: of(facts, 'TrackSaved').length,
      totalUnsaves: of(facts, 'TrackUnsaved').length,
    },
  };
}

export function oracleSeriesBucket(all: StoredFact[], from: number, to: number) {
  const facts = within(all, from, to);
  const n = (t: string) => of(facts, t).length;
  return {
    plays: n('TrackPlayed'),
    skips: n('TrackSkipped'),
    likes: n('TrackLiked'),
    unlikes: n('TrackUnliked'),
    shares: n('TrackShared'),
    downloads: n('TrackDownloaded'),
    saves: n('TrackSaved'),
    unsaves: n('TrackUnsaved'),
  };
}

const newestFirst = (a: StoredFact, b: StoredFact) => b.at - a.at || (a.id < b.id ? -1 : 1);

export function oracleDashboard(
  all: StoredFact[],
  tracks: { trackId: string; title: string }[],
  from: number,
  to: number,
) {
  const facts = within(all, from, to);
  // The previous period is as long as this one in whole hours (rollups end on the hour).
  const hour = 3_600_000;
  const previous = within(all, from - Math.ceil((to - from) / hour) * hour, from);
  const plays = of(facts, 'TrackPlayed');
  const count = (xs: StoredFact[], t: string) => of(xs, t).length;
  const growth = (t: string) => {
    const before = count(previous, t);
    return before === 0 ? null : r2(((count(facts, t) - before) / before) * 100);
  };
  const title = new Map(tracks.map((t) => [t.trackId, t.title]));
  const playlists = new Map<string, { saves: number; unsaves: number }>();
  for (const f of facts) {
    if (f.type !== 'TrackSaved' && f.type !== 'TrackUnsaved') continue;
    const p = playlists.get(f.playlistId!) ?? { saves: 0, unsaves: 0 };
    if (f.type === 'TrackSaved') p.saves += 1;
    else p.unsaves += 1;
    playlists.set(f.playlistId!, p);
  }
  return {
    overview: {
      totalTracks: tracks.length,
      totalPlays: plays.length,
      totalLikes: count(facts, 'TrackLiked'),
      totalShares: count(facts, 'TrackShared'),
      totalDownloads: count(facts, 'TrackDownloaded'),
      totalSaves: count(facts, 'TrackSaved'),
      uniqueListeners: new Set(plays.map((p) => p.listenerId)).size,
      avgDuration: avg(plays.map((p) => p.durationSeconds!)),
      avgCompletionRate: avg(plays.map((p) => p.completionRate!)),
    },
    recentActivity: {
      plays: of(all, 'TrackPlayed')
        .sort(newestFirst)
        .slice(0, 10)
        .map((p) => ({
          trackId: p.trackId,
          title: title.get(p.trackId) ?? null,
          at: new Date(p.at).toISOString(),
          source: p.source,
          durationSeconds: p.durationSeconds,
          completionRate: p.completionRate,
        })),
      likes: of(all, 'TrackLiked')
        .sort(newestFirst)
        .slice(0, 5)
        .map((l) => ({
          trackId: l.trackId,
          title: title.get(l.trackId) ?? null,
          at: new Date(l.at).toISOString(),
        })),
    },
    topTracks: tracks
      .map((t) => {
        const mine = facts.filter((f) => f.trackId === t.trackId);
        return {
          trackId: t.trackId,
          title: t.title,
          plays: count(mine, 'TrackPlayed'),
          likes: count(mine, 'TrackLiked'),
          shares: count(mine, 'TrackShared'),
          saves: count(mine, 'TrackSaved'),
          downloads: count(mine, 'TrackDownloaded'),
        };
      })
      .sort((a, b) => b.plays - a.plays || (a.trackId < b.trackId ? -1 : 1))
      .slice(0, 5),
    engagement: {
      likeRate: pct(count(facts, 'TrackLiked'), plays.length),
      shareRate: pct(count(facts, 'TrackShared'), plays.length),
      saveRate: pct(count(facts, 'TrackSaved'), plays.length),
      downloadRate: pct(count(facts, 'TrackDownloaded'), plays.length),
      completionRate: avg(plays.map((p) => p.completionRate!)),
    },
    playlists: [...playlists]
      .filter(([, p]) => p.saves > 0)
      .map(([playlistId, p]) => ({ playlistId, ...p }))
      .sort((a, b) => b.saves - a.saves || (a.playlistId < b.playlistId ? -1 : 1)),
    growth: {
      plays: growth('TrackPlayed'),
      likes: growth('TrackLiked'),
      shares: growth('TrackShared'),
    },
  };
}
