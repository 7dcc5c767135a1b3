/**
 * Ingestion throughput over HTTP against the running service, compared with raw appends of the
 * same facts through the official client to the same event store, in the same run.
 *
 *   npm run bench:ingestion -- [--concurrency 32] [--seconds 10] [--rounds 3] [--tracks 2000]
 *     [--batch 50] [--settle 60] [--cpu-prof <dir>] [--env K=V ...]
 *     [--service-node-args "--flag --flag"]
 *   npm run bench:ingestion -- --url http://127.0.0.1:3000 --esdb esdb://127.0.0.1:2113?tls=false
 *     [--pid <service pid>]
 *
 * Without --url it starts the service (`src/main.ts`, scripts/lib/service.ts) as a child process
 * on embedded defaults (embedded event store, FerretDB unless MONGODB_URL is set, projectors
 * running) in a temp DATA_DIR with the rate limit lifted, and always stops it (and FerretDB) at
 * the end, also when interrupted. `--env K=V` passes extra configuration to it; `--cpu-prof <dir>`
 * runs it under `node --cpu-prof`; `--service-node-args` adds Node options after the service's own.
 *
 * Each round:
 * - http: `--concurrency` clients post batches of `--batch` events over keep-alive HTTP; each
 *   batch is one listener's session over 5 random tracks (70% plays; likes/unlikes, shares,
 *   saves, downloads). Sessions come from a seeded generator, one seed per round.
 * - settle: waits (at most `--settle` s) until the projectors report no lag, so the backlog
 *   left by one phase is measured on its own and does not run into the next.
 * - raw: the same sessions (same seed: same kinds, sizes, order and track numbers; fresh ids)
 *   turned into the very facts the service stores (`toStoredEvent`), appended with the official
 *   client to the service's event store, one `appendToStream` per track stream per session, same
 *   concurrency. Track ids are `rawbench-<n>` instead of `bench-<n>`: streams the dedup writer
 *   never wrote (no conflicts with it), but `track-` streams all the same, so the service's
 *   projectors do the same work for raw events as for ingested ones. Then settle again.
 *
 * CPU µs per event: the service process (all its threads, from /proc), its children (FerretDB)
 * and this process. Prints every round, the medians over rounds, and a JSON line at the end.
 */
import { execSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { ingestionEventSchema } from '../src/events/ingestion';
import { trackStream } from '../src/events/stored';
import { anonymizeIp } from '../src/ingestion/anonymizeIp';
import { liveClock } from '../src/ingestion/recordEvents';
import { toStoredEvent } from '../src/ingestion/toStoredEvent';
// A seeded generator, so the raw phase can replay the http phase's sessions.
import { mulberry32 } from '../src/projector/testing/syntheticLog';
import { processCpuMs, spawnService, type SpawnedService } from './lib/service';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
};
const CONCURRENCY = Number(arg('concurrency', '32'));
const SECONDS = Number(arg('seconds', '10'));
const ROUNDS = Number(arg('rounds', '3'));
const TRACKS = Number(arg('tracks', '2000'));
const BATCH = Number(arg('batch', '50'));
const SETTLE_S = Number(arg('settle', '60'));
/** Track ids of the raw phase: the same numbers, other streams (the dedup writer never sees them). */
const RAW_TRACK = 'rawbench-';
const HTTP_TRACK = 'bench-';
const SECRET = 'bench-ingestion-secret-0123456789';

type Session = { body: string; events: Record<string, unknown>[] };

const sources = ['landing', 'playlist', 'search', 'direct', 'share', 'player'] as const;

/** One listener's session: about 5 tracks, mostly plays, with likes, shares, saves, downloads. */
function session(random: () => number, now: number, trackPrefix = HTTP_TRACK): Session {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const anonymousId = randomUUID();
  const sessionId = randomUUID();
  const tracks = Array.from({ length: 5 }, () => `${trackPrefix}${Math.floor(random() * TRACKS)}`);
  const events = Array.from({ length: BATCH }, (_, i) => {
    const base = {
      id: randomUUID(),
      trackId: tracks[i % tracks.length]!,
      sessionId,
      anonymousId,
      timestamp: new Date(now - (BATCH - i) * 1000).toISOString(),
    };
    const r = random();
    if (r < 0.7) {
      return {
        ...base,
        type: 'play',
        source: pick(sources),
        duration: Math.round(random() * 240),
        completionRate: Math.round(random() * 100),
        replayed: random() < 0.1,
      };
    }
    if (r < 0.82) return { ...base, type: 'like', action: random() < 0.9 ? 'like' : 'unlike' };
    if (r < 0.9)
      return { ...base, type: 'share', platform: pick(['twitter', 'copy_link'] as const) };
    if (r < 0.96) return { ...base, type: 'save', playlistId: 'pl-1' };
    return { ...base, type: 'download' };
  });
  return { body: JSON.stringify({ sentAt: new Date(now).toISOString(), events }), events };
}

function request(
  agent: http.Agent,
  url: URL,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path,
        method,
        headers: {
          ...headers,
          ...(body !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

type Cpu = { service: number; ferret: number; bench: number };
type PhaseResult = {
  events: number;
  seconds: number;
  perSec: number;
  p50?: number;
  p99?: number;
  errors?: number;
  /** CPU µs per event of the service (all threads), FerretDB, and this process. */
  cpu?: Cpu;
  load?: number;
};

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)]! : NaN;

async function httpPhase(url: URL, seed: number): Promise<PhaseResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const random = mulberry32(seed);
  const latencies: number[] = [];
  let accepted = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const b = session(random, Date.now());
        const t0 = performance.now();
        try {
          const res = await request(agent, url, 'POST', '/api/stats/events', b.body);
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

/** One event per stream, so measured phases see streams the service (and the store) know. */
async function touchAllTracks(url: URL, client: EventStoreDBClient): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < TRACKS) {
        const ids = Array.from({ length: 25 }, () => next++).filter((i) => i < TRACKS);
        const events = ids.map((i) => ({
          id: randomUUID(),
          type: 'download',
          trackId: `${HTTP_TRACK}${i}`,
          sessionId: 'warm-up',
          timestamp: new Date().toISOString(),
        }));
        // A kept-alive socket the server closed meanwhile resets: retrying is safe (dedup).
        for (let attempt = 1; ; attempt++) {
          try {
            await request(agent, url, 'POST', '/api/stats/events', JSON.stringify(events));
            break;
          } catch (err) {
            if (attempt >= 3) throw err;
          }
        }
        await Promise.all(
          events.map((e) => {
            const raw = {
              ...e,
              id: randomUUID(),
              trackId: e.trackId.replace(HTTP_TRACK, RAW_TRACK),
            };
            const f = toStoredEvent(ingestionEventSchema.parse(raw), rawContext(), {
              skipThresholdSeconds: 20,
            });
            return client.appendToStream(
              trackStream(raw.trackId),
              jsonEvent({ id: f.id, type: f.type, data: f.data as never }),
            );
          }),
        );
      }
    }),
  );
  agent.destroy();
}

/** The same sessions as the http phase of this seed, as stored facts, appended per stream. */
/** What the service records for the bench's requests: Node's client sends no user agent. */
function rawContext() {
  const receivedAt = new Date();
  return { receivedAt, correctTime: liveClock(receivedAt), ipHash: anonymizeIp('127.0.0.1')! };
}

async function rawPhase(client: EventStoreDBClient, seed: number): Promise<PhaseResult> {
  const random = mulberry32(seed);
  const ctx = rawContext();
  const facts = () => {
    const byStream = new Map<string, ReturnType<typeof jsonEvent>[]>();
    for (const raw of session(random, Date.now(), RAW_TRACK).events) {
      const e = toStoredEvent(ingestionEventSchema.parse(raw), ctx, { skipThresholdSeconds: 20 });
      const s = trackStream(e.data.trackId);
      const list = byStream.get(s);
      const event = jsonEvent({ id: e.id, type: e.type, data: e.data as never });
      if (list) list.push(event);
      else byStream.set(s, [event]);
    }
    return byStream;
  };
  let events = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const byStream = facts();
        await Promise.all([...byStream].map(([s, list]) => client.appendToStream(s, list)));
        events += BATCH;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { events, seconds, perSec: events / seconds };
}

/** Sum of `projector_lag_events` in /metrics; undefined when the service exposes none. */
async function projectorLag(url: URL): Promise<number | undefined> {
  try {
    const text = await (await fetch(new URL('/metrics', url))).text();
    const lines = text.split('\n').filter((l) => l.startsWith('projector_lag_events'));
    if (lines.length === 0) return undefined;
    return lines.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  } catch {
    return undefined;
  }
}

/** Waits until the projectors have applied everything (or `SETTLE_S` passed). */
async function settle(url: URL): Promise<{ seconds: number; lagLeft: number | undefined }> {
  const started = performance.now();
  let lag = await projectorLag(url);
  while (lag !== undefined && lag > 0 && performance.now() - started < SETTLE_S * 1000) {
    await new Promise((r) => setTimeout(r, 250));
    lag = await projectorLag(url);
  }
  return { seconds: (performance.now() - started) / 1000, lagLeft: lag };
}

function cpuProbe(pid: number | undefined, children: () => number[]) {
  const ferretMs = () => children().reduce((sum, p) => sum + (processCpuMs(p) || 0), 0);
  const s0 = processCpuMs(pid);
  const f0 = ferretMs();
  const b0 = process.cpuUsage();
  return (events: number): Cpu => {
    const b = process.cpuUsage(b0);
    return {
      service: ((processCpuMs(pid) - s0) * 1000) / events,
      ferret: ((ferretMs() - f0) * 1000) / events,
      bench: (b.user + b.system) / events,
    };
  };
}

async function measured(
  pid: number | undefined,
  children: () => number[],
  phase: () => Promise<PhaseResult>,
): Promise<PhaseResult> {
  const done = cpuProbe(pid, children);
  const r = await phase();
  r.cpu = done(r.events);
  r.load = os.loadavg()[0];
  return r;
}

/** Median; the mean of the middle two for an even count. */
const median = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (n: number | undefined, d = 0) =>
  n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(d);
const cpuText = (c: Cpu | undefined) =>
  c ? `service ${fmt(c.service)} ferretdb ${fmt(c.ferret)} bench ${fmt(c.bench)}` : '-';

async function main() {
  const commit = execSync('git rev-parse --short HEAD').toString().trim();
  const dirty = execSync('git status --porcelain -- src scripts projections').toString().trim()
    ? '+dirty'
    : '';
  console.log(
    `machine: ${os.cpus().length}x ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log(`commit: ${commit}${dirty}, load average ${fmt(os.loadavg()[0], 2)}`);
  console.log(
    `params: concurrency=${CONCURRENCY} seconds=${SECONDS} rounds=${ROUNDS} tracks=${TRACKS} batch=${BATCH}`,
  );
  const given = arg('url', '');
  const extraEnv = Object.fromEntries(
    argv
      .flatMap((a, i) => (a === '--env' && argv[i + 1] ? [argv[i + 1]!] : []))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const profDir = arg('cpu-prof', '');
  let svc: SpawnedService | undefined;
  if (!given) {
    svc = await spawnService({
      name: 'bench-ingestion',
      env: { AUTH_JWT_SECRET: SECRET, ...extraEnv },
      nodeArgs: [
        ...arg('service-node-args', '').split(' ').filter(Boolean),
        ...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []),
      ],
    });
  }
  const urlText = svc?.url ?? given;
  const esdb = svc?.esdb ?? arg('esdb', '');
  const pid = svc?.pid ?? (Number(arg('pid', '0')) || undefined);
  const children = () => svc?.descendants() ?? [];
  console.log(
    `service: ${urlText} (pid ${pid ?? '?'}${svc ? `, started here, children ${children().join(' ') || 'none'}` : ''}) event store: ${esdb}` +
      (Object.keys(extraEnv).length ? ` env ${JSON.stringify(extraEnv)}` : ''),
  );
  const client = EventStoreDBClient.connectionString(esdb);
  const url = new URL(urlText);
  try {
    await touchAllTracks(url, client); // every stream's first load, as a long-running service has done
    await httpPhase(url, 1); // warm-up: JIT, connections
    await settle(url);
    const httpRuns: PhaseResult[] = [];
    const rawRuns: PhaseResult[] = [];
    const settles: { seconds: number; cpu: Cpu }[] = [];
    const rawSettles: { seconds: number; cpu: Cpu }[] = [];
    /** Waits for the projectors after a phase; their CPU is counted per event of that phase. */
    const settleRound = async (r: number, phase: 'http' | 'raw', events: number) => {
      const probe = cpuProbe(pid, children);
      const s = await settle(url);
      const cpu = probe(events);
      console.log(
        `round ${r} settle: projectors caught up in ${fmt(s.seconds, 1)} s${s.lagLeft ? ` (gave up, lag ${s.lagLeft})` : ''}, cpu µs per ${phase} event ${cpuText(cpu)}`,
      );
      return { seconds: s.seconds, cpu };
    };
    for (let r = 1; r <= ROUNDS; r++) {
      const seed = 1000 + r;
      const h = await measured(pid, children, () => httpPhase(url, seed));
      httpRuns.push(h);
      console.log(
        `round ${r} http:   ${fmt(h.perSec)} events/s, p50 ${fmt(h.p50, 1)} ms, p99 ${fmt(h.p99, 1)} ms, errors ${h.errors}, cpu µs/event ${cpuText(h.cpu)}, load ${fmt(h.load, 2)}`,
      );
      settles.push(await settleRound(r, 'http', h.events));
      const w = await measured(pid, children, () => rawPhase(client, seed));
      rawRuns.push(w);
      console.log(
        `round ${r} raw:    ${fmt(w.perSec)} events/s, cpu µs/event ${cpuText(w.cpu)}, load ${fmt(w.load, 2)}, http/raw ${fmt(h.perSec / w.perSec, 2)}`,
      );
      rawSettles.push(await settleRound(r, 'raw', w.events));
    }
    const m = (xs: PhaseResult[], f: (p: PhaseResult) => number | undefined) =>
      median(xs.map((x) => f(x) ?? NaN));
    const summary = {
      commit: commit + dirty,
      concurrency: CONCURRENCY,
      batch: BATCH,
      tracks: TRACKS,
      seconds: SECONDS,
      rounds: ROUNDS,
      env: extraEnv,
      httpEventsPerSec: Math.round(m(httpRuns, (h) => h.perSec)),
      httpP50Ms: Number(m(httpRuns, (h) => h.p50).toFixed(1)),
      httpP99Ms: Number(m(httpRuns, (h) => h.p99).toFixed(1)),
      httpErrors: httpRuns.reduce((s, h) => s + (h.errors ?? 0), 0),
      rawEventsPerSec: Math.round(m(rawRuns, (w) => w.perSec)),
      ratio: Number(median(httpRuns.map((h, i) => h.perSec / rawRuns[i]!.perSec)).toFixed(2)),
      httpServiceCpuUs: Math.round(m(httpRuns, (h) => h.cpu?.service)),
      httpFerretCpuUs: Math.round(m(httpRuns, (h) => h.cpu?.ferret)),
      httpBenchCpuUs: Math.round(m(httpRuns, (h) => h.cpu?.bench)),
      settleSeconds: Number(median(settles.map((s) => s.seconds)).toFixed(1)),
      settleServiceCpuUs: Math.round(median(settles.map((s) => s.cpu.service))),
      settleFerretCpuUs: Math.round(median(settles.map((s) => s.cpu.ferret))),
      rawServiceCpuUs: Math.round(m(rawRuns, (w) => w.cpu?.service)),
      rawFerretCpuUs: Math.round(m(rawRuns, (w) => w.cpu?.ferret)),
      rawSettleSeconds: Number(median(rawSettles.map((s) => s.seconds)).toFixed(1)),
      rawBenchCpuUs: Math.round(m(rawRuns, (w) => w.cpu?.bench)),
      loadAverage: Number(m([...httpRuns, ...rawRuns], (p) => p.load).toFixed(2)),
    };
    console.log(
      `median over ${ROUNDS} rounds: http ${summary.httpEventsPerSec} events/s, p50 ${summary.httpP50Ms} ms, p99 ${summary.httpP99Ms} ms` +
        ` | raw ${summary.rawEventsPerSec} events/s | http/raw ${summary.ratio}` +
        ` | cpu µs/event http: service ${summary.httpServiceCpuUs} ferretdb ${summary.httpFerretCpuUs}, settle: service ${summary.settleServiceCpuUs} ferretdb ${summary.settleFerretCpuUs} (${summary.settleSeconds} s), raw: service ${summary.rawServiceCpuUs} ferretdb ${summary.rawFerretCpuUs} bench ${summary.rawBenchCpuUs} (settle ${summary.rawSettleSeconds} s)` +
        ` | load ${summary.loadAverage}`,
    );
    console.log(JSON.stringify(summary));
  } finally {
    await client.dispose();
    if (svc) {
      const kids = children();
      await svc.stop();
      const left = [svc.pid, ...kids].filter((p) => {
        try {
          process.kill(p, 0);
          return true;
        } catch {
          return false;
        }
      });
      console.log(
        `service stopped (exit ${svc.child.exitCode ?? svc.child.signalCode})${left.length ? `, STILL ALIVE: ${left.join(' ')}` : ', no process left'}`,
      );
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
