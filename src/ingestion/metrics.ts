import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { IngestResult } from './recordEvents';
import type { StreamWriter } from './writerWorker';

export type IngestionRoute = 'live' | 'import';

/**
 * Ingestion metrics on the shared prom-client registry (served at /metrics). Labels are the
 * route (`live`: POST /api/stats/events, `import`: POST /api/admin/import) and the outcome,
 * never track or listener ids.
 */
export function ingestionMetrics(registry: Registry, writer?: StreamWriter) {
  const events = new Counter({
    name: 'ingestion_events_total',
    help: 'Events received, by route and outcome (accepted, duplicate, rejected)',
    labelNames: ['route', 'outcome'],
    registers: [registry],
  });
  const requests = new Histogram({
    name: 'ingestion_request_duration_seconds',
    help: 'Ingestion request duration (body read to reply), by route and status',
    labelNames: ['route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const appends = new Histogram({
    name: 'ingestion_append_events',
    help: 'Events per append to a track stream (concurrent requests coalesce)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [registry],
  });
  const appendSeconds = new Histogram({
    name: 'ingestion_append_duration_seconds',
    help: 'Duration of one append to a track stream, conflicts and retries included',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  if (writer) {
    new Gauge({
      name: 'ingestion_dedup_cached_ids',
      help: 'Event ids held in memory by the deduplicating writer',
      registers: [registry],
      collect() {
        this.set(writer.size.ids);
      },
    });
  }
  // Zero series exist from the start, so rates work before the first event.
  for (const route of ['live', 'import'] as const) {
    for (const outcome of ['accepted', 'duplicate', 'rejected']) events.inc({ route, outcome }, 0);
  }
  return {
    /** Starts timing a request; call the result with its outcome (or its error status). */
    request(route: IngestionRoute): (status: number, result?: IngestResult) => void {
      const end = requests.startTimer({ route });
      return (status, result) => {
        end({ status: String(status) });
        if (!result) return;
        if (result.accepted) events.inc({ route, outcome: 'accepted' }, result.accepted);
        if (result.duplicates) events.inc({ route, outcome: 'duplicate' }, result.duplicates);
        if (result.rejected.length)
          events.inc({ route, outcome: 'rejected' }, result.rejected.length);
      };
    },
    /** For TrackWriter's `onAppend`. */
    append(count: number, seconds: number): void {
      appends.observe(count);
      appendSeconds.observe(seconds);
    },
  };
}

export type IngestionMetrics = ReturnType<typeof ingestionMetrics>;
