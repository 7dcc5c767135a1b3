import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { signToken } from './token';
import { createAuth } from './auth';
import { errorHandler } from '../http/errorHandler';

const secret = 'unit-test-secret-0123456789';

async function serve() {
  const auth = createAuth(secret);
  const app = new Koa();
  app.use(errorHandler);
  app.use(auth.authenticate);
  app.use(auth.requireRole('admin'));
  app.use((ctx) => {
    ctx.body = { sub: ctx.state.user.sub };
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((r) => server.close(r)) };
}

describe('auth (passport-jwt, HS256)', () => {
  let s: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => (s = await serve()));
  afterAll(() => s.close());
  const call = (token?: string) =>
    fetch(s.url, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('401 without a token, 401 for a bad signature, 403 for another role, 200 for admin', async () => {
    expect((await call()).status).toBe(401);
    expect(
      (await call(signToken('another-secret-0123456789', { sub: 'x', role: 'admin' }))).status,
    ).toBe(401);
    expect(
      (await call(signToken(secret, { sub: 'a', role: 'artist', artistId: 'ar1' }))).status,
    ).toBe(403);
    const ok = await call(signToken(secret, { sub: 'boss', role: 'admin' }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ sub: 'boss' });
  });

  it('refuses expired tokens and tokens with bad claims', async () => {
    expect((await call(signToken(secret, { sub: 'boss', role: 'admin' }, '-1s'))).status).toBe(401);
    expect((await call(signToken(secret, { sub: 'boss', role: 'root' as never }))).status).toBe(
      401,
    );
  });
});
