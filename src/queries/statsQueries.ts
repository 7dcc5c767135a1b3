import type { Db } from 'mongodb';
import type { EventStore } from '../eventstore/eventStore';
import { readModelResolver } from '../projector/readModelPointers';
import { getAnalytics } from './getAnalytics';
import { getDashboard, type Viewer } from './getDashboard';
import type { AnalyticsQuery, DashboardQuery } from './queryParams';
import { rangeReader } from './rangeReader';
import { rollupCache, type RollupReadMode } from './rollupCache';
import type { RoundTrips } from './roundTrips';
import { trackStreamCache } from './trackStreams';

export type StatsQueryOptions = {
  /** Raw events kept in memory across all replayed streams (least recently used evicted). */
  streamCacheEvents: number;
  /** Folded (track, month|year) rollup views kept in memory. */
  rollupCacheViews: number;
  /** A cached rollup view is re-read after this long (only to keep the replayed tail short). */
  rollupCacheTtlMs: number;
  /** See RollupReadMode. */
  rollupReadMode: RollupReadMode;
  /** A stream read this recently is not read again (bounded staleness). */
  streamFreshMs: number;
  /** How long an artist's track list is reused. */
  catalogTtlMs: number;
  onBackgroundError?: (err: unknown) => void;
};

/** The analytics and dashboard queries with their caches; one per service instance. */
export function createStatsQueries(deps: {
  db: Db;
  store: EventStore;
  clock: () => Date;
  options: StatsQueryOptions;
}) {
  const resolver = readModelResolver(deps.db);
  const streams = trackStreamCache(deps.store, {
    maxEvents: deps.options.streamCacheEvents,
    freshMs: deps.options.streamFreshMs,
    onCatalogEvent: () => reader.catalogChanged(),
  });
  const reader = rangeReader({
    db: deps.db,
    resolver,
    clock: deps.clock,
    rollupReadMode: deps.options.rollupReadMode,
    catalogTtlMs: deps.options.catalogTtlMs,
    rollups: rollupCache(deps.db, resolver, {
      maxViews: deps.options.rollupCacheViews,
      ttlMs: deps.options.rollupCacheTtlMs,
      ...(deps.options.onBackgroundError
        ? { onBackgroundError: deps.options.onBackgroundError }
        : {}),
    }),
    streams,
  });
  return {
    analytics: (q: AnalyticsQuery, rt: RoundTrips) => getAnalytics(reader, q, deps.clock(), rt),
    dashboard: (viewer: Viewer, q: DashboardQuery, rt: RoundTrips) =>
      getDashboard({ reader }, viewer, q, deps.clock(), rt),
  };
}

export type StatsQueries = ReturnType<typeof createStatsQueries>;
