import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ProjectorStatus } from './projector';

/**
 * Projector metrics on a shared prom-client registry (created in main.ts, served at /metrics).
 * Labels: `projection` and `outcome` only — never track or listener ids.
 */
export function projectorMetrics(registry: Registry) {
  const sources = new Map<string, () => ProjectorStatus>();
  const gauge = (name: string, help: string, read: (s: ProjectorStatus) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['projection'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [projection, status] of sources) this.set({ projection }, read(status()));
      },
    });
  gauge(
    'projector_lag_events',
    'Events in the log not yet applied (estimated during catch-up)',
    (s) => s.lagEvents,
  );
  gauge(
    'projector_lag_seconds',
    'Age of the oldest event received and not yet applied',
    (s) => s.lagSeconds,
  );
  gauge('projector_checkpoint_position', 'Commit position of the last applied event', (s) =>
    Number(s.checkpoint),
  );
  gauge(
    'projector_events_per_second',
    'Events handled per second over the last 10 s',
    (s) => s.eventsPerSecond,
  );
  gauge('projector_up', '1 while the projector runs, 0 once it has stopped on a failure', (s) =>
    s.failed ? 0 : 1,
  );
  return {
    events: new Counter({
      name: 'projector_events_total',
      help: 'Events seen by projectors, by outcome (handled, ignored, invalid)',
      labelNames: ['projection', 'outcome'],
      registers: [registry],
    }),
    writes: new Counter({
      name: 'projector_document_writes_total',
      help: 'Read-model document writes, by outcome (applied, replayed = skipped as already applied)',
      labelNames: ['projection', 'outcome'],
      registers: [registry],
    }),
    batchDuration: new Histogram({
      name: 'projector_batch_duration_seconds',
      help: 'Time to project and write one batch, checkpoint included',
      labelNames: ['projection'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    failures: new Counter({
      name: 'projector_failures_total',
      help: 'Projectors stopped by a failure (stop-and-alert policy)',
      labelNames: ['projection'],
      registers: [registry],
    }),
    register(projection: string, status: () => ProjectorStatus): void {
      sources.set(projection, status);
    },
    unregister(projection: string, status: () => ProjectorStatus): void {
      if (sources.get(projection) === status) sources.delete(projection);
    },
  };
}

export type ProjectorMetrics = ReturnType<typeof projectorMetrics>;
