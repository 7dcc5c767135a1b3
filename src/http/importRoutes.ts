import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { importEvents, parseImportBody } from '../ingestion/importEvents';
import type { IngestionMetrics } from '../ingestion/metrics';
import type { RecordEventsDeps } from '../ingestion/recordEvents';
import { measured } from './measured';
import { readText } from './rawBody';

export type ImportRoutesDeps = {
  ingestion: RecordEventsDeps;
  clock: () => Date;
  bodyLimitBytes: number;
  requireAdmin: Middleware;
  metrics?: IngestionMetrics;
};

/**
 * `POST /api/admin/import` (admin): up to 10,000 events as a JSON array, `{ events }`, or NDJSON
 * (`application/x-ndjson`); timestamps as given; the same per-event reply and dedup as live events.
 */
export function importRoutes(deps: ImportRoutesDeps) {
  const router = new Router();
  router.post('/api/admin/import', deps.requireAdmin, measured(deps.metrics, 'import', record));

  async function record(ctx: Context): Promise<void> {
    const receivedAt = deps.clock();
    const ndjson = /ndjson|jsonl|jsonlines/i.test(ctx.get('content-type'));
    const events = parseImportBody(await readText(ctx, deps.bodyLimitBytes), ndjson);
    const result = await importEvents(deps.ingestion, events, receivedAt);
    ctx.status =
      result.rejected.length > 0 && result.accepted + result.duplicates === 0 ? 400 : 200;
    ctx.body = result;
  }
  return router;
}
