import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

const HTTP_CLOSE_GRACE_MS = 5_000;

/** Listens and resolves with the bound port and a stop that drains in-flight requests. */
export async function listen(app: Koa, port: number, host: string) {
  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    port: (server.address() as AddressInfo).port,
    // In-flight requests get a grace period; keep-alive clients that keep sending would
    // otherwise hold close() open for ever.
    stop: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), HTTP_CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
