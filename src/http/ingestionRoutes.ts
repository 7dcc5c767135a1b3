import Router from '@koa/router';
import type { Context } from 'koa';
import { ValidationError } from '../errors';
import { anonymizeIp } from '../ingestion/anonymizeIp';
import {
  liveClock,
  parseEnvelope,
  recordEvents,
  type RecordEventsDeps,
} from '../ingestion/recordEvents';

const MAX_USER_AGENT = 512;

/** sendBeacon posts text/plain: the body is still JSON. */
export function jsonBody(ctx: Context): unknown {
  const body = (ctx.request as { body?: unknown }).body;
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    throw new ValidationError('body is not valid JSON', [
      { path: 'body', message: 'malformed JSON' },
    ]);
  }
}

export function ingestionRoutes(deps: RecordEventsDeps & { clock: () => Date }) {
  const router = new Router();
  router.post('/api/stats/events', async (ctx) => {
    const receivedAt = deps.clock();
    const envelope = parseEnvelope(jsonBody(ctx));
    const userAgent = ctx.get('user-agent').slice(0, MAX_USER_AGENT) || undefined;
    const ipHash = anonymizeIp(ctx.ip);
    const result = await recordEvents(deps, envelope.events, {
      receivedAt,
      correctTime: liveClock(receivedAt, envelope.sentAt),
      ...(ctx.state.user?.sub ? { userId: String(ctx.state.user.sub) } : {}),
      ...(userAgent ? { userAgent } : {}),
      ...(ipHash ? { ipHash } : {}),
    });
    const allRejected = result.rejected.length > 0 && result.accepted + result.duplicates === 0;
    ctx.status = allRejected ? 400 : 200;
    ctx.body = result;
  });
  return router;
}
