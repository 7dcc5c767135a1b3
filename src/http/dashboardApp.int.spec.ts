import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import Koa from 'koa';
import { dashboardApp } from './dashboardApp';
import { errorHandler } from './errorHandler';

/** The static dashboard route over real HTTP, serving a real directory. */
describe('GET /dashboard/*', () => {
  let dir: string;
  let url: string;
  let server: ReturnType<Koa['listen']>;
  const js = 'console.log("app");'.repeat(50);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dash-static-'));
    fs.mkdirSync(path.join(dir, 'built', 'assets'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'built', 'index.html'), '<!doctype html><div id="root"></div>');
    fs.writeFileSync(path.join(dir, 'built', 'assets', 'app-ABC.js'), js);
    fs.writeFileSync(path.join(dir, 'built', 'assets', 'app-ABC.js.gz'), gzipSync(js));
    const app = new Koa();
    app.use(errorHandler);
    app.use(async (ctx, next) => {
      // Two mounts: one built, one not (a fresh clone before `npm run build:dashboard`).
      const assetsDir = path.join(dir, ctx.get('x-not-built') ? 'missing' : 'built');
      return dashboardApp({ assetsDir })(ctx, next);
    });
    app.use((ctx) => {
      ctx.body = 'next';
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers index.html for /dashboard and any view under it, uncached, with a CSP', async () => {
    for (const p of ['/dashboard', '/dashboard/', '/dashboard/track/t-1?range=7d']) {
      const res = await fetch(`${url}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(await res.text()).toContain('<div id="root">');
    }
  });

  it('sends hashed assets precompressed and cached for a year; 404 for unknown ones', async () => {
    const res = await fetch(`${url}/dashboard/assets/app-ABC.js`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);
    expect(await res.text()).toBe(js);
    const missing = await fetch(`${url}/dashboard/assets/nope.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { title: string }).title).toMatch(/nope\.js/);
    // Outside the assets directory: refused (resolve-path), never read.
    expect((await fetch(`${url}/dashboard/assets/..%2f..%2fetc%2fpasswd`)).status).toBe(403);
  });

  it('leaves other paths and methods to the next middleware', async () => {
    expect(await (await fetch(`${url}/dashboards`)).text()).toBe('next');
    expect(await (await fetch(`${url}/dashboard`, { method: 'POST' })).text()).toBe('next');
  });

  it('says how to build it when it has not been built', async () => {
    const res = await fetch(`${url}/dashboard`, { headers: { 'x-not-built': '1' } });
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/npm run build:dashboard/);
  });
});
