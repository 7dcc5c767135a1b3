import Router from '@koa/router';

export type Readiness = () => Promise<{ ready: boolean; checks: Record<string, string> }>;

export function healthRoutes(readiness: Readiness) {
  const router = new Router();
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/ready', async (ctx) => {
    const r = await readiness();
    ctx.status = r.ready ? 200 : 503;
    ctx.body = { status: r.ready ? 'ready' : 'not ready', checks: r.checks };
  });
  return router;
}
