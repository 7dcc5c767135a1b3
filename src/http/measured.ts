import type { Context } from 'koa';
import { statusOf } from '../errors';
import type { IngestionMetrics, IngestionRoute } from '../ingestion/metrics';
import type { IngestResult } from '../ingestion/recordEvents';

/** Runs an ingestion handler, recording its latency and outcome (its reply, or its error's status). */
export function measured(
  metrics: IngestionMetrics | undefined,
  route: IngestionRoute,
  handle: (ctx: Context) => Promise<void>,
): (ctx: Context) => Promise<void> {
  return async (ctx) => {
    const done = metrics?.request(route);
    try {
      await handle(ctx);
    } catch (err) {
      done?.(statusOf(err) ?? 500);
      throw err;
    }
    done?.(ctx.status, ctx.body as IngestResult);
  };
}
