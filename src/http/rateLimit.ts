import type { Middleware } from 'koa';
import { RateLimitedError } from '../errors';

export type RateLimitOptions = {
  /** Requests per minute per client address; also the burst a quiet client may send at once. */
  perMinute: number;
  clock?: () => number;
  /** Addresses tracked at most; beyond it the least recently seen are forgotten. */
  maxClients?: number;
};

type Bucket = { tokens: number; at: number };

/**
 * Token bucket per client address (`ctx.ip`: the socket address, or the X-Forwarded-For entry
 * TRUST_PROXY / TRUST_PROXY_HOPS select). Over the limit: 429 with Retry-After in seconds.
 */
export function rateLimit(options: RateLimitOptions): Middleware {
  const clock = options.clock ?? Date.now;
  const capacity = options.perMinute;
  const perMs = options.perMinute / 60_000;
  const maxClients = options.maxClients ?? 100_000;
  const buckets = new Map<string, Bucket>();
  return async (ctx, next) => {
    const now = clock();
    const key = ctx.ip || 'unknown';
    const b = buckets.get(key);
    const tokens = b ? Math.min(capacity, b.tokens + (now - b.at) * perMs) : capacity;
    if (tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
      buckets.set(key, { tokens, at: now });
      ctx.set('RateLimit-Limit', String(capacity));
      ctx.set('RateLimit-Remaining', '0');
      throw new RateLimitedError(
        `rate limit of ${capacity} requests per minute exceeded`,
        retryAfter,
      );
    }
    buckets.delete(key);
    buckets.set(key, { tokens: tokens - 1, at: now });
    if (buckets.size > maxClients) {
      const oldest = buckets.keys().next();
      if (!oldest.done) buckets.delete(oldest.value);
    }
    ctx.set('RateLimit-Limit', String(capacity));
    ctx.set('RateLimit-Remaining', String(Math.floor(tokens - 1)));
    await next();
  };
}
