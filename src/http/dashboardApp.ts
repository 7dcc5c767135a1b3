import { send } from '@koa/send';
import fs from 'node:fs';
import path from 'node:path';
import type { Middleware } from 'koa';

const PREFIX = '/dashboard';
const ASSETS = `${PREFIX}/assets/`;

// The app talks only to this origin; nothing else may run in or frame it.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // React and uPlot set element styles through the CSSOM; the stylesheet is a file.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Dashboard not built</title>
<p>The dashboard has not been built on this machine: run <code>npm run build:dashboard</code>
(the set-up command <code>npm ci</code> does it) and reload.</p>`;

/**
 * `GET /dashboard` and any path under it: the artist dashboard, a single-page app built into
 * `assetsDir` (dashboard/build.ts). Files under /dashboard/assets/ carry a content hash in their
 * names and are cached for a year; every other path answers index.html, so a shared link such as
 * /dashboard/track/t1?range=30d opens the app on that view.
 */
export function dashboardApp(deps: { assetsDir: string }): Middleware {
  const root = path.resolve(deps.assetsDir);
  return async (ctx, next) => {
    const inScope = ctx.path === PREFIX || ctx.path.startsWith(`${PREFIX}/`);
    if (!inScope || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    if (ctx.path.startsWith(ASSETS)) {
      const served = await send(ctx, ctx.path.slice(ASSETS.length), {
        root: path.join(root, 'assets'),
        index: false,
        gzip: true,
        brotli: true,
        immutable: true,
        maxage: 365 * 86_400_000,
      }).catch((err: { status?: number }) => {
        if (err.status === 404) return undefined;
        throw err;
      });
      if (!served) ctx.throw(404, `no dashboard asset ${ctx.path}`);
      return;
    }
    const index = path.join(root, 'index.html');
    if (!fs.existsSync(index)) {
      ctx.status = 503;
      ctx.type = 'html';
      ctx.body = NOT_BUILT;
      return;
    }
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'html';
    ctx.body = fs.createReadStream(index);
  };
}
