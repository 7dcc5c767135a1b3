/** The answers of the dashboard API (SPEC "Query API"), as far as the app reads them. */

export type Growth = {
  previousFrom: string;
  previousTo: string;
  plays: number | null;
  likes: number | null;
  shares: number | null;
};

export type Overview = {
  totalTracks: number;
  totalPlays: number;
  totalLikes: number;
  totalShares: number;
  totalDownloads: number;
  totalSaves: number;
  uniqueListeners: number;
  avgDuration: number;
  avgCompletionRate: number;
};

export type RecentPlay = {
  trackId: string;
  title: string | null;
  at: string;
  source: string | null;
  durationSeconds: number;
  completionRate: number;
};

export type RecentLike = { trackId: string; title: string | null; at: string };

export type TopTrack = {
  trackId: string;
  title: string | null;
  plays: number;
  likes: number;
  shares: number;
  saves: number;
  downloads: number;
};

export type Engagement = {
  likeRate: number;
  shareRate: number;
  saveRate: number;
  downloadRate: number;
  completionRate: number;
};

export type PlaylistSaves = { playlistId: string; saves: number; unsaves: number };

/** `GET /api/dashboard/stats` */
export type DashboardAnswer = {
  artistId: string;
  trackId?: string;
  timeRange: string;
  from: string;
  to: string;
  tz?: string;
  overview: Overview;
  recentActivity: { plays: RecentPlay[]; likes: RecentLike[] };
  topTracks: TopTrack[];
  engagement: Engagement;
  playlists: PlaylistSaves[];
  growth: Growth;
};

/** One series bucket: `from`, `to` and a count per field (plays, skips, likes, …). */
export type SeriesBucket = { from: string; to: string } & Record<string, number | string>;

/** `GET /api/dashboard/analytics` and `GET /api/dashboard/tracks/:trackId` */
export type AnalyticsAnswer = {
  timeRange: string;
  from: string;
  to: string;
  tz?: string;
  plays?: {
    totalPlays: number;
    totalSkips: number;
    uniqueListeners: number;
    sourceBreakdown: Record<string, number>;
    avgDuration: number;
    avgCompletionRate: number;
    skipRate: number;
    replayRate: number;
  };
  shares?: { totalShares: number; platformBreakdown: Record<string, number> };
  seriesGranularity: 'hour' | 'day' | 'week' | 'month' | 'year';
  series: SeriesBucket[];
};

/** `GET /api/tracks/:trackId` */
export type TrackAnswer = { trackId: string; artistId: string | null; title: string | null };
