import {
  downloadsSection,
  likesSection,
  playsSection,
  savesSection,
  seriesFields,
  sharesSection,
} from './metrics';
import { metrics, resolveRange, type AnalyticsQuery } from './queryParams';
import { seriesGranularity } from './rangePlanner';
import type { RangeReader, TrackInfo } from './rangeReader';
import type { RoundTrips } from './roundTrips';
import type { Tally } from './tally';

const iso = (t: number) => new Date(t).toISOString();

/**
 * `GET /api/stats/analytics` (admin): one track or all of an artist's tracks over a range.
 * Exact: rollups where whole buckets cover the range, raw replay for the rest.
 */
export async function getAnalytics(
  reader: RangeReader,
  q: AnalyticsQuery,
  now: Date,
  rt: RoundTrips,
) {
  const tracks: TrackInfo[] = q.trackId
    ? [(await reader.track(q.trackId, rt)) ?? { trackId: q.trackId }]
    : await reader.tracksOfArtist(q.artistId!, rt);
  const earliest =
    q.timeRange === 'all' && q.from === undefined ? await reader.earliest(tracks, rt) : undefined;
  const range = resolveRange(q, now.getTime(), earliest);
  const series = seriesGranularity(range.from, range.to);
  const trackIds = tracks.map((t) => t.trackId);
  const [result] = await reader.read(trackIds, [{ range, series }], rt);
  const { stats, plan } = result!;
  const t = stats.total;
  const sections: Record<(typeof metrics)[number], () => unknown> = {
    plays: () => playsSection(t, stats.uniqueListeners),
    likes: () => likesSection(t),
    shares: () => sharesSection(t),
    downloads: () => downloadsSection(t),
    saves: () => savesSection(t),
  };
  const shown = q.metric ? [q.metric] : metrics;
  const seriesOf = (b: Tally) =>
    Object.assign({}, ...shown.map((m) => seriesFields[m](b))) as Record<string, number>;
  return {
    scope: q.trackId ? { trackId: q.trackId } : { artistId: q.artistId!, trackIds },
    timeRange: range.timeRange,
    from: iso(range.from),
    to: iso(range.to),
    ...Object.fromEntries(shown.map((m) => [m, sections[m]()])),
    seriesGranularity: series,
    series: plan.map((b, i) => ({
      from: iso(b.start),
      to: iso(b.end),
      ...seriesOf(stats.series[i]!),
    })),
    coverage: result!.coverage(stats),
  };
}
