import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { anonymizeIp } from '../ingestion/anonymizeIp';
import type { IngestionMetrics } from '../ingestion/metrics';
import {
  liveClock,
  parseEnvelope,
  recordEvents,
  type RecordEventsDeps,
} from '../ingestion/recordEvents';
import { measured } from './measured';
import { parseJson, readText } from './rawBody';

export const MAX_USER_AGENT = 512;

export type IngestionRoutesDeps = {
  ingestion: RecordEventsDeps;
  clock: () => Date;
  bodyLimitBytes: number;
  eventMaxAgeMs: number;
  rateLimit: Middleware;
  metrics?: IngestionMetrics;
};

/**
 * `POST /api/stats/events` (SPEC "Ingestion API"): JSON under application/json or text/plain
 * (sendBeacon), 1,000 events and `bodyLimitBytes` at most (413), per-event results, 400 when
 * every event is rejected. Mounted before the generic body parser: it reads the body itself.
 */
export function ingestionRoutes(deps: IngestionRoutesDeps) {
  const router = new Router();
  router.post('/api/stats/events', deps.rateLimit, measured(deps.metrics, 'live', record));

  async function record(ctx: Context): Promise<void> {
    const receivedAt = deps.clock();
    const envelope = parseEnvelope(parseJson(await readText(ctx, deps.bodyLimitBytes)));
    const userAgent = ctx.get('user-agent').slice(0, MAX_USER_AGENT);
    const ipHash = anonymizeIp(ctx.ip);
    const sub = (ctx.state.user as { sub?: string } | undefined)?.sub;
    const result = await recordEvents(deps.ingestion, envelope.events, {
      receivedAt,
      correctTime: liveClock(receivedAt, envelope.sentAt, deps.eventMaxAgeMs),
      ...(sub ? { userId: sub } : {}),
      ...(userAgent ? { userAgent } : {}),
      ...(ipHash ? { ipHash } : {}),
    });
    ctx.status =
      result.rejected.length > 0 && result.accepted + result.duplicates === 0 ? 400 : 200;
    ctx.body = result;
  }
  return router;
}
