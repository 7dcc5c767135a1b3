import { playSources, sharePlatforms } from '../events/ingestion';
import type { Counts, Tally } from './tally';

/** Two decimals; never NaN, Infinity or -0. */
export const round2 = (x: number): number =>
  Number.isFinite(x) ? Math.round(x * 100) / 100 + 0 : 0;

/** `n` per 100 of `d`, two decimals; 0 when `d` is 0. */
export const perHundred = (n: number, d: number): number => (d > 0 ? round2((n / d) * 100) : 0);

export const average = (sum: number, n: number): number => (n > 0 ? round2(sum / n) : 0);

/** Change vs the previous period in percent; `null` when the previous value is 0. */
export const growth = (current: number, previous: number): number | null =>
  previous === 0 ? null : round2(((current - previous) / previous) * 100);

const breakdown = (known: readonly string[], counts: Record<string, number>) => {
  const out: Record<string, number> = Object.fromEntries(known.map((k) => [k, 0]));
  for (const [k, v] of Object.entries(counts)) out[k] = (out[k] ?? 0) + v;
  return out;
};

export const playsSection = (t: Tally, uniqueListeners: number) => ({
  totalPlays: t.plays,
  totalSkips: t.skips,
  uniqueListeners,
  sourceBreakdown: breakdown(playSources, t.sources),
  avgDuration: average(t.durationSum, t.plays),
  avgCompletionRate: average(t.completionSum, t.plays),
  skipRate: perHundred(t.skips, t.plays + t.skips),
  replayRate: perHundred(t.replays, t.plays),
});

export const likesSection = (t: Tally) => ({ totalLikes: t.likes, totalUnlikes: t.unlikes });
export const sharesSection = (t: Tally) => ({
  totalShares: t.shares,
  platformBreakdown: breakdown(sharePlatforms, t.platforms),
});
export const downloadsSection = (t: Tally) => ({ totalDownloads: t.downloads });
export const savesSection = (t: Tally) => ({ totalSaves: t.saves, totalUnsaves: t.unsaves });

/** The counts a series bucket shows, per metric. */
export const seriesFields = {
  plays: (t: Counts) => ({ plays: t.plays, skips: t.skips }),
  likes: (t: Counts) => ({ likes: t.likes, unlikes: t.unlikes }),
  shares: (t: Counts) => ({ shares: t.shares }),
  downloads: (t: Counts) => ({ downloads: t.downloads }),
  saves: (t: Counts) => ({ saves: t.saves, unsaves: t.unsaves }),
} as const;

/** Engagement per 100 plays; completionRate is the average completion of the plays. */
export const engagement = (t: Tally) => ({
  likeRate: perHundred(t.likes, t.plays),
  shareRate: perHundred(t.shares, t.plays),
  saveRate: perHundred(t.saves, t.plays),
  downloadRate: perHundred(t.downloads, t.plays),
  completionRate: average(t.completionSum, t.plays),
});

/** Playlists that saved the tracks in the range, most saves first. */
export const playlistsOf = (t: Tally) =>
  Object.entries(t.playlists)
    .filter(([, saves]) => saves > 0)
    .map(([playlistId, saves]) => ({
      playlistId,
      saves,
      unsaves: t.playlistUnsaves[playlistId] ?? 0,
    }))
    .sort((a, b) => b.saves - a.saves || (a.playlistId < b.playlistId ? -1 : 1));
