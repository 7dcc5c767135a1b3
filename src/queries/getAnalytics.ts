import type { TrackBinding } from '../../projections/trackRollups';
import {
  downloadsSection,
  likesSection,
  playsSection,
  savesSection,
  seriesFields,
  sharesSection,
} from './metrics';
import { metrics, resolveRange, type AnalyticsQuery } from './queryParams';
import type { RoundTrips } from './roundTrips';
import { coverageOf, seriesOf } from './seriesPlan';
import type { QueryData } from './statsQueries';
import type { Counts } from './tally';
import { localLabel } from './zonedTime';

const iso = (t: number) => new Date(t).toISOString();

/** Start of the earliest hour with an event of these tracks (for `all`). */
export const earliestOf = (tracks: readonly TrackBinding[]): number | undefined => {
  const first = Math.min(...tracks.map((t) => t.firstAt ?? Infinity));
  return Number.isFinite(first) ? first : undefined;
};

/**
 * `GET /api/stats/analytics` (admin): one track or all of an artist's tracks over a range.
 * Exact: rollup cells at the coarsest level that fits, plus the log's events past their
 * checkpoint.
 */
export async function getAnalytics(data: QueryData, q: AnalyticsQuery, now: Date, rt: RoundTrips) {
  const tracks: readonly TrackBinding[] = q.trackId
    ? [data.catalog.track(q.trackId) ?? { trackId: q.trackId, containers: [] }]
    : data.catalog.tracksOf(q.artistId!);
  const range = resolveRange(q, now.getTime(), earliestOf(tracks));
  const { granularity, buckets } = seriesOf(range);
  const {
    snap,
    stats: results,
    plans,
  } = await data.ranges(tracks, [{ buckets, to: range.to }], rt);
  const stats = results[0]!;
  const t = stats.total;
  const sections: Record<(typeof metrics)[number], () => unknown> = {
    plays: () => playsSection(t, stats.uniqueListeners),
    likes: () => likesSection(t),
    shares: () => sharesSection(t),
    downloads: () => downloadsSection(t),
    saves: () => savesSection(t),
  };
  const shown = q.metric ? [q.metric] : metrics;
  const seriesOfBucket = (b: Counts) =>
    Object.assign({}, ...shown.map((m) => seriesFields[m](b))) as Record<string, number>;
  return {
    scope: q.trackId
      ? { trackId: q.trackId }
      : { artistId: q.artistId!, trackIds: tracks.map((x) => x.trackId) },
    timeRange: range.timeRange,
    from: iso(range.from),
    to: iso(range.to),
    tz: range.tz,
    ...Object.fromEntries(shown.map((m) => [m, sections[m]()])),
    seriesGranularity: granularity,
    series: buckets.map((b, i) => ({
      from: iso(b.start),
      to: iso(b.end),
      label: localLabel(b.start, granularity, range.tz),
      ...seriesOfBucket(stats.series[i]!),
      ...(shown.includes('plays') ? { uniqueListeners: stats.seriesListeners[i]! } : {}),
    })),
    coverage: coverageOf(plans[0]!, snap, stats.tailEvents),
  };
}
