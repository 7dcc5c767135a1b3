import type { Middleware } from 'koa';
import { statusOf } from '../errors';

/**
 * The first middleware: domain errors become problem-details bodies with their status.
 * 5xx never expose a message; logging happens in app.on('error') only.
 */
export const errorHandler: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (err) {
    const e = err as Error & {
      status?: number;
      expose?: boolean;
      fields?: unknown;
      retryAfterSeconds?: number;
    };
    const status = statusOf(err) ?? (typeof e.status === 'number' ? e.status : 500);
    const expose = status < 500 || statusOf(err) === 503;
    ctx.status = status;
    ctx.type = 'application/problem+json';
    if (e.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(e.retryAfterSeconds));
    ctx.body = {
      type: 'about:blank',
      title: expose ? e.message : 'Internal Server Error',
      status,
      ...(expose && Array.isArray(e.fields) && e.fields.length > 0 ? { errors: e.fields } : {}),
    };
    if (status >= 500 && statusOf(err) !== 503) ctx.app.emit('error', err, ctx);
  }
};
