import type { Config } from '../config/config';
import type { EventStore } from '../eventstore/eventStore';
import { CatalogCache, type CatalogLookup } from './catalogCache';
import type { IngestionMetrics } from './metrics';
import type { RecordEventsDeps } from './recordEvents';
import { TrackWriter } from './trackWriter';
import { ThreadedTrackWriter, type StreamWriter } from './writerWorker';

export type Ingestion = RecordEventsDeps & {
  writer: StreamWriter;
  catalog: CatalogCache;
  /** Resolves once the writer (thread) can take writes. */
  ready: Promise<void>;
  /** Stops the writer thread (after the HTTP server has stopped taking requests). */
  close(): Promise<void>;
};

/**
 * One deduplicating writer and one catalog cache per process, shared by every ingestion route.
 * Given the event store's connection string, the writer runs on its own thread with its own
 * client (writerWorker.ts); otherwise in-process on `store`.
 */
export function createIngestion(deps: {
  store: EventStore;
  eventStoreUrl?: string;
  config: Pick<
    Config,
    'dedupWindowMs' | 'dedupCacheMaxIds' | 'skipThresholdSeconds' | 'catalogCacheTtlMs'
  >;
  catalogLookup: CatalogLookup;
  /** Receives each append's size and duration (see metrics.ts). */
  onAppend?: IngestionMetrics['append'];
}): Ingestion {
  const { config } = deps;
  const options = {
    windowMs: config.dedupWindowMs,
    maxCachedIds: config.dedupCacheMaxIds,
    ...(deps.onAppend ? { onAppend: deps.onAppend } : {}),
  };
  const threaded = deps.eventStoreUrl
    ? new ThreadedTrackWriter({ url: deps.eventStoreUrl, ...options })
    : undefined;
  return {
    writer: threaded ?? new TrackWriter({ store: deps.store, ...options }),
    catalog: new CatalogCache({ lookup: deps.catalogLookup, ttlMs: config.catalogCacheTtlMs }),
    skipThresholdSeconds: config.skipThresholdSeconds,
    ready: threaded?.ready ?? Promise.resolve(),
    close: async () => threaded?.close(),
  };
}
