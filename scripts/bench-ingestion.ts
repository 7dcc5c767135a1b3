/**
 * Ingestion throughput over HTTP against the running service, compared with raw appends of the
 * same facts through the official client to the same event store, in the same run.
 *
 *   npm run bench:ingestion -- [--url http://127.0.0.1:3000 --esdb esdb://127.0.0.1:2113?tls=false]
 *     [--concurrency 32] [--seconds 10] [--rounds 3] [--tracks 2000] [--batch 50]
 *
 * Without --url it starts the service (`src/main.ts`) as a child process on embedded defaults
 * (embedded event store; MONGODB_URL if set, else the locally provisioned server) in a temp
 * DATA_DIR, with the rate limit lifted. Each request is one listener's session: `--batch` events
 * (plays, likes, shares, saves, downloads) over about 5 tracks. Prints machine, commit and
 * parameters, one row per phase and round, the medians, and a JSON line at the end.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { ingestionEventSchema } from '../src/events/ingestion';
import { trackStream } from '../src/events/stored';
import { liveClock } from '../src/ingestion/recordEvents';
import { toStoredEvent } from '../src/ingestion/toStoredEvent';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const CONCURRENCY = Number(arg('concurrency', '32'));
const SECONDS = Number(arg('seconds', '10'));
const ROUNDS = Number(arg('rounds', '3'));
const TRACKS = Number(arg('tracks', '2000'));
const BATCH = Number(arg('batch', '50'));

type Batch = { body: string; events: Record<string, unknown>[] };

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

/** One listener's session: about 5 tracks, mostly plays, with likes, shares, saves, downloads. */
function session(now: number): Batch {
  const anonymousId = randomUUID();
  const sessionId = randomUUID();
  const tracks = Array.from({ length: 5 }, () => `bench-${Math.floor(Math.random() * TRACKS)}`);
  const events = Array.from({ length: BATCH }, (_, i) => {
    const trackId = tracks[i % tracks.length]!;
    const base = {
      id: randomUUID(),
      trackId,
      sessionId,
      anonymousId,
      timestamp: new Date(now - (BATCH - i) * 1000).toISOString(),
    };
    const r = Math.random();
    if (r < 0.7) {
      return {
        ...base,
        type: 'play',
        source: pick(['landing', 'playlist', 'search', 'direct', 'share', 'player'] as const),
        duration: Math.round(Math.random() * 240),
        completionRate: Math.round(Math.random() * 100),
        replayed: Math.random() < 0.1,
      };
    }
    if (r < 0.82) return { ...base, type: 'like', action: Math.random() < 0.9 ? 'like' : 'unlike' };
    if (r < 0.9)
      return { ...base, type: 'share', platform: pick(['twitter', 'copy_link'] as const) };
    if (r < 0.96) return { ...base, type: 'save', playlistId: 'pl-1' };
    return { ...base, type: 'download' };
  });
  return { body: JSON.stringify({ sentAt: new Date(now).toISOString(), events }), events };
}

function post(
  agent: http.Agent,
  url: URL,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: '/api/stats/events',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

type PhaseResult = {
  /** CPU µs per event: the service process, and this (load-generating) process. */
  serviceCpuUs?: number;
  benchCpuUs?: number;
  events: number;
  seconds: number;
  perSec: number;
  p50?: number;
  p99?: number;
  errors?: number;
};

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : NaN;

async function httpPhase(url: URL): Promise<PhaseResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let accepted = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const b = session(Date.now());
        const t0 = performance.now();
        try {
          const res = await post(agent, url, b.body);
          latencies.push(performance.now() - t0);
          if (res.status === 200)
            accepted += (JSON.parse(res.text) as { accepted: number }).accepted;
          else errors += 1;
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    events: accepted,
    seconds,
    perSec: accepted / seconds,
    p50: pct(latencies, 0.5),
    p99: pct(latencies, 0.99),
    errors,
  };
}

/** One event per track, so the measured phases see streams the service already knows. */
async function touchAllTracks(url: URL): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < TRACKS) {
        const ids = Array.from({ length: 25 }, () => next++).filter((i) => i < TRACKS);
        const events = ids.map((i) => ({
          id: randomUUID(),
          type: 'download',
          trackId: `bench-${i}`,
          sessionId: 'warm-up',
          timestamp: new Date().toISOString(),
        }));
        await post(agent, url, JSON.stringify(events));
      }
    }),
  );
  agent.destroy();
}

/** The same facts the service would store, appended straight through the official client. */
async function rawPhase(client: EventStoreDBClient): Promise<PhaseResult> {
  const receivedAt = new Date();
  const ctx = { receivedAt, correctTime: liveClock(receivedAt), ipHash: '203.0.113.0' };
  let events = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const byStream = new Map<string, ReturnType<typeof jsonEvent>[]>();
        for (const raw of session(Date.now()).events) {
          const e = toStoredEvent(ingestionEventSchema.parse(raw), ctx, {
            skipThresholdSeconds: 20,
          });
          const s = trackStream((e.data as { trackId: string }).trackId);
          const list = byStream.get(s) ?? [];
          list.push(jsonEvent({ id: e.id, type: e.type, data: e.data as never }));
          byStream.set(s, list);
        }
        await Promise.all([...byStream].map(([s, list]) => client.appendToStream(s, list)));
        events += BATCH;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { events, seconds, perSec: events / seconds };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function startService(): Promise<{ url: string; esdb: string; child: ChildProcess }> {
  const [port, esPort] = [await freePort(), await freePort()];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ingestion-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      EVENTSTORE_PORT: String(esPort),
      DATA_DIR: dataDir,
      RATE_LIMIT_PER_MINUTE: '100000000',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      JOBS_ENABLED: 'false',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, esdb: `esdb://127.0.0.1:${esPort}?tls=false`, child };
}

/** utime + stime of a process in ms (Linux /proc), for CPU cost per event. */
function cpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

async function withCpu(pid: number | undefined, phase: () => Promise<PhaseResult>) {
  const s0 = cpuMs(pid);
  const b0 = process.cpuUsage();
  const r = await phase();
  const b = process.cpuUsage(b0);
  r.serviceCpuUs = ((cpuMs(pid) - s0) * 1000) / r.events;
  r.benchCpuUs = (b.user + b.system) / r.events;
  return r;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number | undefined, d = 0) => (n === undefined ? '-' : n.toFixed(d));

async function main() {
  const commit = execSync('git rev-parse --short HEAD').toString().trim();
  const dirty = execSync('git status --porcelain -- src scripts').toString().trim() ? '+dirty' : '';
  console.log(
    `machine: ${os.cpus().length}x ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log(`commit: ${commit}${dirty}`);
  console.log(
    `params: concurrency=${CONCURRENCY} seconds=${SECONDS} rounds=${ROUNDS} tracks=${TRACKS} batch=${BATCH}`,
  );
  const given = arg('url', '');
  const svc = given
    ? { url: given, esdb: arg('esdb', ''), child: undefined }
    : await startService();
  console.log(`service: ${svc.url} event store: ${svc.esdb}${given ? '' : ' (started here)'}`);
  const client = EventStoreDBClient.connectionString(svc.esdb);
  const url = new URL(svc.url);
  const pid = svc.child?.pid ?? (Number(arg('pid', '0')) || undefined);
  try {
    await touchAllTracks(url); // every stream's first load, as a long-running service has done
    await httpPhase(url); // warm-up: JIT, connections
    const httpRuns: PhaseResult[] = [];
    const rawRuns: PhaseResult[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const h = await withCpu(pid, () => httpPhase(url));
      httpRuns.push(h);
      console.log(
        `round ${r} http: ${fmt(h.perSec)} events/s, p50 ${fmt(h.p50, 1)} ms, p99 ${fmt(h.p99, 1)} ms, errors ${h.errors}, cpu µs/event service ${fmt(h.serviceCpuUs)} bench ${fmt(h.benchCpuUs)}`,
      );
      const w = await withCpu(pid, () => rawPhase(client));
      rawRuns.push(w);
      console.log(
        `round ${r} raw:  ${fmt(w.perSec)} events/s, cpu µs/event service ${fmt(w.serviceCpuUs)} bench ${fmt(w.benchCpuUs)}`,
      );
    }
    const summary = {
      commit: commit + dirty,
      concurrency: CONCURRENCY,
      batch: BATCH,
      tracks: TRACKS,
      httpEventsPerSec: Math.round(median(httpRuns.map((h) => h.perSec))),
      httpP50Ms: Number(median(httpRuns.map((h) => h.p50!)).toFixed(1)),
      httpP99Ms: Number(median(httpRuns.map((h) => h.p99!)).toFixed(1)),
      rawEventsPerSec: Math.round(median(rawRuns.map((w) => w.perSec))),
      httpServiceCpuUsPerEvent: Math.round(median(httpRuns.map((h) => h.serviceCpuUs!))),
      rawServiceCpuUsPerEvent: Math.round(median(rawRuns.map((w) => w.serviceCpuUs!))),
      loadAverage: os.loadavg()[0]!.toFixed(1),
      ratio: 0,
    };
    summary.ratio = Number((summary.httpEventsPerSec / summary.rawEventsPerSec).toFixed(2));
    console.log(
      `median: http ${summary.httpEventsPerSec} events/s (p99 ${summary.httpP99Ms} ms), raw ${summary.rawEventsPerSec} events/s, ratio ${summary.ratio}`,
    );
    console.log(JSON.stringify(summary));
  } finally {
    await client.dispose();
    if (svc.child) {
      svc.child.kill('SIGTERM');
      await new Promise((r) => svc.child!.once('exit', r));
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
