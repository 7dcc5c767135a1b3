import type { Config } from '../config/config';
import type { EventStore } from '../eventstore/eventStore';
import { CatalogCache, type CatalogLookup } from './catalogCache';
import type { IngestionMetrics } from './metrics';
import type { RecordEventsDeps } from './recordEvents';
import { TrackWriter } from './trackWriter';

export type Ingestion = RecordEventsDeps & { writer: TrackWriter; catalog: CatalogCache };

/** One deduplicating writer and one catalog cache per process, shared by every ingestion route. */
export function createIngestion(deps: {
  store: EventStore;
  config: Pick<
    Config,
    'dedupWindowMs' | 'dedupCacheMaxIds' | 'skipThresholdSeconds' | 'catalogCacheTtlMs'
  >;
  catalogLookup: CatalogLookup;
  /** Receives each append's size and duration (see metrics.ts). */
  onAppend?: IngestionMetrics['append'];
}): Ingestion {
  const { config } = deps;
  return {
    writer: new TrackWriter({
      store: deps.store,
      windowMs: config.dedupWindowMs,
      maxCachedIds: config.dedupCacheMaxIds,
      ...(deps.onAppend ? { onAppend: deps.onAppend } : {}),
    }),
    catalog: new CatalogCache({ lookup: deps.catalogLookup, ttlMs: config.catalogCacheTtlMs }),
    skipThresholdSeconds: config.skipThresholdSeconds,
  };
}
