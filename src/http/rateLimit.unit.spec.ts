import type { Context } from 'koa';
import { RateLimitedError } from '../errors';
import { rateLimit } from './rateLimit';

/** A koa-style fake context: only what the middleware reads and writes. */
const fakeCtx = (ip: string) => {
  const headers: Record<string, string> = {};
  return { ip, set: (k: string, v: string) => (headers[k] = v), headers } as unknown as Context & {
    headers: Record<string, string>;
  };
};

describe('rateLimit', () => {
  it('lets a burst of perMinute through, then 429 with Retry-After until tokens refill', async () => {
    let now = 0;
    const limit = rateLimit({ perMinute: 3, clock: () => now });
    const next = jest.fn(async () => undefined);
    for (let i = 0; i < 3; i++) await limit(fakeCtx('1.1.1.1'), next);
    const err = await limit(fakeCtx('1.1.1.1'), next).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterSeconds).toBe(20);
    await limit(fakeCtx('2.2.2.2'), next); // another address has its own bucket
    now += 20_000;
    await limit(fakeCtx('1.1.1.1'), next);
    expect(next).toHaveBeenCalledTimes(5);
  });
});
