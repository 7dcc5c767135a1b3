import cors from '@koa/cors';
import Koa from 'koa';
import { koaBody } from 'koa-body';
import type { Db } from 'mongodb';
import type { Auth } from '../auth/auth';
import type { Config } from '../config/config';
import type { EventStore } from '../eventstore/eventStore';
import type { Logger } from '../logger';
import { errorHandler } from './errorHandler';
import { healthRoutes, type Readiness } from './healthRoutes';
import { ingestionRoutes } from './ingestionRoutes';
import { trackRoutes } from './trackRoutes';

export type AppDeps = {
  config: Config;
  logger: Logger;
  store: EventStore;
  db: Db;
  readiness: Readiness;
  auth: Auth;
  clock?: () => Date;
};

/** The HTTP edge: routers and middleware only; everything else comes in through `deps`. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa({ proxy: deps.config.trustProxy });
  const clock = deps.clock ?? (() => new Date());
  app.on('error', (err, ctx) => {
    deps.logger.error({ err, route: ctx?.path }, 'request failed');
  });
  app.use(errorHandler);
  app.use(
    cors({
      origin: (ctx) => {
        const origin = ctx.get('Origin');
        const allowed = deps.config.corsOrigins;
        return allowed === '*' || allowed.includes(origin) ? origin || '*' : '';
      },
      allowMethods: ['GET', 'POST', 'PUT', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Authorization'],
    }),
  );
  app.use(
    koaBody({
      json: true,
      text: true,
      urlencoded: false,
      jsonLimit: '2mb',
      textLimit: '2mb',
      jsonStrict: false,
    }),
  );
  app.use(deps.auth.authenticate);
  for (const router of [
    healthRoutes(deps.readiness),
    ingestionRoutes({
      store: deps.store,
      skipThresholdSeconds: deps.config.skipThresholdSeconds,
      clock,
    }),
    trackRoutes({ db: deps.db }),
  ]) {
    app.use(router.routes()).use(router.allowedMethods());
  }
  return app;
}
