import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One POST to the ingestion route as the proxy saw it. */
export interface ForwardedPost {
  contentType: string | undefined;
  /** `no-cors` for sendBeacon, `cors` for fetch (Chromium's Sec-Fetch-Mode). */
  fetchMode: string | undefined;
  authorized: boolean;
  ids: string[];
  status: number;
  events: Record<string, unknown>[];
}

export type GateMode = 'open' | 'refuse' | 'unavailable';

/**
 * A pass-through HTTP proxy in front of the service that a test can close: `refuse` stops
 * listening (the browser sees connection errors, as when the service is down), `unavailable`
 * answers 503 with Retry-After (as an overloaded service would). Records every ingestion POST.
 */
export async function startGateProxy(target: string) {
  const posts: ForwardedPost[] = [];
  const sockets = new Set<Socket>();
  let mode: GateMode = 'open';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      if (mode === 'unavailable') {
        res.writeHead(503, {
          'Retry-After': '1',
          'Access-Control-Allow-Origin': '*',
          'Access-Control-Expose-Headers': 'Retry-After',
        });
        res.end('{"error":"unavailable"}');
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([k]) => !['host', 'connection', 'content-length'].includes(k),
        ),
      ) as Record<string, string>;
      try {
        const upstream = await fetch(target + req.url, {
          method: req.method,
          headers,
          body: ['GET', 'HEAD'].includes(req.method ?? 'GET') ? undefined : body,
        });
        const reply = Buffer.from(await upstream.arrayBuffer());
        if (req.method === 'POST' && req.url?.startsWith('/api/stats/events')) {
          const parsed = JSON.parse(body.toString()) as { events: Record<string, unknown>[] };
          posts.push({
            contentType: req.headers['content-type'],
            fetchMode: req.headers['sec-fetch-mode'] as string | undefined,
            authorized: !!req.headers.authorization,
            ids: parsed.events.map((e) => String(e.id)),
            status: upstream.status,
            events: parsed.events,
          });
        }
        const out: Record<string, string> = {};
        upstream.headers.forEach((v, k) => {
          if (
            !['content-encoding', 'content-length', 'transfer-encoding', 'connection'].includes(k)
          )
            out[k] = v;
        });
        res.writeHead(upstream.status, out);
        res.end(reply);
      } catch (err) {
        res.writeHead(502);
        res.end(String(err));
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  const close = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    /** How many 2xx-answered POSTs carried each event id. */
    acceptedCount(id: string): number {
      return posts.filter((p) => p.status >= 200 && p.status < 300 && p.ids.includes(id)).length;
    },
    async setMode(next: GateMode) {
      if (next === 'refuse') await close();
      else if (!server.listening)
        await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
      mode = next;
    },
    close,
  };
}
