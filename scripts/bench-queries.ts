/**
 * Query latency of the analytics and dashboard endpoints against the running service on
 * embedded defaults (embedded event store, FerretDB), 10 concurrent clients, cold and warm.
 *
 *   npm run bench:queries -- [--events 1000000] [--tracks 1000] [--artists 100] [--listeners 50000]
 *     [--days 365] [--seed 1] [--seconds 8] [--connections 10] [--data-dir DIR]
 *
 * FerretDB is provisioned here (as the service would provision it) and handed to the service
 * with MONGODB_URL, so that its raw `find` latency is measured against the same server in the
 * same run, and so that the service can be restarted (cold caches) over the same data. With
 * `--data-dir` naming a directory that already holds a data set, generation is skipped.
 * The data set is the one of `npm run dataset` (scripts/generate-dataset.ts: Zipf-like tracks and
 * listeners, late catalog events), appended to the service's embedded event store the way that
 * script does; then the bench waits for every projector to catch up.
 * Prints machine, commit and parameters, one row per scenario, and a JSON line at the end.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { signToken } from '../src/auth/token';
import { connectEventStore } from '../src/eventstore/esdbEventStore';
import { provisionMongo } from '../src/mongo/provision';
import { loadLog } from '../src/projector/testing/loadLog';
import { syntheticArtistId, syntheticTrackId } from '../src/projector/testing/syntheticLog';
import { datasetLog } from './generate-dataset';
import { spawnService } from './lib/service';

type Req = { method: string; path?: string; headers?: Record<string, string> };
type AutocannonResult = {
  latency: { p50: number; p99: number };
  requests: { average: number };
  errors: number;
  non2xx: number;
};
// autocannon ships no types; this is the part of its API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: {
  url: string;
  connections: number;
  duration: number;
  requests: (Req & { setupRequest?: (req: Req) => Req })[];
}) => Promise<AutocannonResult>;

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const EVENTS = Number(arg('events', '1000000'));
const TRACKS = Number(arg('tracks', '1000'));
const ARTISTS = Number(arg('artists', '100'));
const LISTENERS = Number(arg('listeners', '50000'));
const SEED = Number(arg('seed', '1'));
const DAYS = Number(arg('days', '365'));
const SECONDS = Number(arg('seconds', '8'));
const CONNECTIONS = Number(arg('connections', '10'));
const DATA_DIR = arg('data-dir', '') || fs.mkdtempSync(path.join(os.tmpdir(), 'bench-queries-'));
const SECRET = 'bench-secret-0123456789abcdef';
const admin = signToken(SECRET, { sub: 'bench', role: 'admin' });
const artistId = syntheticArtistId;
const artistToken = (i: number) =>
  signToken(SECRET, { sub: `u-${i}`, role: 'artist', artistId: artistId(i) });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};

/** The service on the bench's data dir and FerretDB; `scripts/lib/service.ts` never leaves it behind. */
async function startService(mongoUrl: string) {
  const service = await spawnService({
    dataDir: DATA_DIR,
    env: { MONGODB_URL: mongoUrl, MONGODB_DB: 'bench_queries', AUTH_JWT_SECRET: SECRET },
    // A graceful stop saves checkpoints; if it takes too long, a crash is recoverable too.
    graceMs: 15_000,
  });
  return { url: service.url, esPort: Number(new URL(service.esdb).port), stop: service.stop };
}

async function api(url: string, method: string, p: string, body?: unknown) {
  const res = await fetch(`${url}${p}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

/** Until every projector's checkpoint has reached the head of the log (read from the store). */
async function waitCaughtUp(url: string, esPort: number) {
  const started = Date.now();
  const store = connectEventStore(`esdb://127.0.0.1:${esPort}?tls=false`);
  try {
    const head = (await store.headPosition(['track-']))?.commit ?? 0n;
    for (;;) {
      const { projections } = (await api(url, 'GET', '/api/admin/projections')) as {
        projections: { name: string; checkpoint: string; failed: boolean }[];
      };
      if (projections.some((p) => p.failed)) throw new Error('a projector failed');
      if (projections.length > 0 && projections.every((p) => BigInt(p.checkpoint) >= head))
        return (Date.now() - started) / 1000;
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await store.close();
  }
}

/** The data set of `npm run dataset` (scripts/generate-dataset.ts), appended to the service's store. */
async function generate(url: string, esPort: number) {
  const t0 = Date.now();
  const store = connectEventStore(`esdb://127.0.0.1:${esPort}?tls=false`);
  let appended = 0;
  try {
    await loadLog(
      store,
      datasetLog({
        events: EVENTS,
        tracks: TRACKS,
        artists: ARTISTS,
        listeners: LISTENERS,
        days: DAYS,
        seed: SEED,
      }),
      {
        chunkSize: 5000,
        onChunk: (n) => {
          appended += n;
          process.stdout.write(`\rappended ${appended}`);
        },
      },
    );
  } finally {
    await store.close();
  }
  const appendSeconds = (Date.now() - t0) / 1000;
  const catchUpSeconds = await waitCaughtUp(url, esPort);
  process.stdout.write('\n');
  fs.writeFileSync(
    path.join(DATA_DIR, 'bench-queries.json'),
    JSON.stringify({
      EVENTS,
      TRACKS,
      ARTISTS,
      LISTENERS,
      DAYS,
      SEED,
      at: new Date().toISOString(),
    }),
  );
  return { appendSeconds, catchUpSeconds };
}

/**
 * FerretDB's own read latency on the same server in the same run: `findOne` by `_id` (pushed
 * down to SQLite), a filtered `find` on the small catalog (what an artist's track list costs),
 * and a filtered `find` of one (track, month) in `track_rollups` (a scan of the collection; once).
 */
async function ferretBaseline(mongoUrl: string) {
  const client = await MongoClient.connect(mongoUrl);
  const db = client.db('bench_queries');
  const catalog = db.collection<{ _id: string; artistId: string }>('track_catalog');
  const rollups = db.collection<{ _id: string }>('track_rollups');
  const timeIt = async (n: number, f: (i: number) => Promise<unknown>) => {
    const lat: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      await f(i);
      lat.push(performance.now() - s);
    }
    return { medianMs: median(lat), perSec: n / (lat.reduce((a, b) => a + b, 0) / 1000) };
  };
  const byId = await timeIt(300, (i) => catalog.findOne({ _id: syntheticTrackId(i % TRACKS) }));
  const byArtist = await timeIt(10, (i) => catalog.find({ artistId: artistId(i) }).toArray());
  const month = new Date().toISOString().slice(0, 7);
  // Minutes at 1M events: `--rollup-scan 0` leaves it out.
  const rollupFind = await timeIt(Number(arg('rollup-scan', '1')), (i) =>
    rollups.find({ trackId: syntheticTrackId(i), granularity: 'm', period: month }).toArray(),
  );
  const rollupDocs = await rollups.estimatedDocumentCount();
  await client.close();
  return { byId, byArtist, rollupFind, rollupDocs };
}

type Scenario = {
  name: string;
  path: (artist: number) => string;
  token: (artist: number) => string;
};
const scenarios: Scenario[] = ['24h', '7d', '30d', '1y'].flatMap((range) => [
  {
    name: `dashboard ${range}`,
    path: () => `/api/dashboard/stats?timeRange=${range}`,
    token: artistToken,
  },
  {
    name: `analytics ${range}`,
    path: (a: number) => `/api/stats/analytics?artistId=${artistId(a)}&timeRange=${range}`,
    token: () => admin,
  },
]);

async function timed(url: string, s: Scenario, artist: number) {
  const t0 = performance.now();
  const res = await fetch(`${url}${s.path(artist)}`, {
    headers: { authorization: `Bearer ${s.token(artist)}` },
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${s.name}: ${res.status}`);
  return { ms: performance.now() - t0, roundTrips: res.headers.get('x-store-round-trips') ?? '?' };
}

/** Primes every artist until no answer replays a rollup cell for want of it being loaded. */
async function prime(url: string, s: Scenario) {
  const deadline = Date.now() + 180_000;
  for (;;) {
    let notLoaded = 0;
    for (let a = 0; a < ARTISTS; a++) {
      const res = await fetch(`${url}${s.path(a)}`, {
        headers: { authorization: `Bearer ${s.token(a)}` },
      });
      const body = (await res.json()) as {
        coverage?: { replayedEvents?: { cellsNotLoaded?: number } };
      };
      notLoaded += body.coverage?.replayedEvents?.cellsNotLoaded ?? 0;
    }
    if (notLoaded === 0 || Date.now() > deadline) return notLoaded;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function warm(url: string, s: Scenario, notLoaded: number) {
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => {
          const a = next++ % ARTISTS;
          return { ...req, path: s.path(a), headers: { authorization: `Bearer ${s.token(a)}` } };
        },
      },
    ],
  });
  const sample = await timed(url, s, 0);
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    errors: result.errors + result.non2xx,
    roundTrips: sample.roundTrips,
    notLoaded,
  };
}

async function main() {
  const commit = execSync('git rev-parse --short HEAD').toString().trim();
  console.log(
    `machine: ${os.cpus().length}× ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`commit: ${commit}`);
  console.log(
    `parameters: events=${EVENTS} tracks=${TRACKS} artists=${ARTISTS} listeners=${LISTENERS} days=${DAYS} connections=${CONNECTIONS} seconds=${SECONDS} dataDir=${DATA_DIR}`,
  );
  const mongo = await provisionMongo({
    dataDir: path.join(DATA_DIR, 'mongo'),
    logger: pino({ level: 'warn' }),
    provider: 'ferretdb',
  });
  let service = await startService(mongo.url);
  const out: Record<string, unknown> = { commit, events: EVENTS, tracks: TRACKS, artists: ARTISTS };
  try {
    if (!fs.existsSync(path.join(DATA_DIR, 'bench-queries.json'))) {
      out.load = await generate(service.url, service.esPort);
      console.log(
        `data set: appended in ${(out.load as { appendSeconds: number }).appendSeconds.toFixed(0)} s, caught up ${(out.load as { catchUpSeconds: number }).catchUpSeconds.toFixed(0)} s later`,
      );
    } else {
      await waitCaughtUp(service.url, service.esPort);
    }
    // Cold: restart, then the first request of each scenario, each for an artist not yet asked.
    await service.stop();
    service = await startService(mongo.url);
    await waitCaughtUp(service.url, service.esPort);
    const baseline = await ferretBaseline(mongo.url);
    out.ferret = baseline;
    console.log(
      `FerretDB baseline: findOne by _id median ${baseline.byId.medianMs.toFixed(2)} ms (${baseline.byId.perSec.toFixed(0)}/s sequential); catalog find by artistId median ${baseline.byArtist.medianMs.toFixed(1)} ms; one (track, month) of track_rollups by filter median ${baseline.rollupFind.medianMs.toFixed(0)} ms (${baseline.rollupDocs} documents)`,
    );
    const cold: Record<string, unknown> = {};
    for (const [i, s] of scenarios.entries()) {
      const a = i % ARTISTS;
      cold[s.name] = await timed(service.url, s, a);
      console.log(`cold ${s.name}: ${JSON.stringify(cold[s.name])}`);
    }
    out.cold = cold;
    console.log(
      '\nscenario            cold ms  cold round trips           | warm p50  p99   req/s  errors  round trips',
    );
    // Warm: first until no scenario replays a rollup cell for want of it being loaded (the
    // background reads of the cold phase have finished), then 10 clients per scenario.
    const primeStarted = Date.now();
    const notLoaded = new Map<string, number>();
    for (let round = 0; round < 1; round++) {
      for (const s of scenarios) notLoaded.set(s.name, await prime(service.url, s));
    }
    console.log(`(priming took ${((Date.now() - primeStarted) / 1000).toFixed(0)} s)`);
    const warmResults: Record<string, unknown> = {};
    for (const s of scenarios) {
      const w = await warm(service.url, s, notLoaded.get(s.name) ?? 0);
      warmResults[s.name] = w;
      const c = cold[s.name] as { ms: number; roundTrips: string };
      console.log(
        `${s.name.padEnd(18)} ${c.ms.toFixed(0).padStart(8)}  ${c.roundTrips.padEnd(26)} | ${String(w.p50).padStart(8)} ${String(w.p99).padStart(5)} ${w.rps.toFixed(0).padStart(7)} ${String(w.errors).padStart(7)}  ${w.roundTrips}`,
      );
    }
    out.warm = warmResults;
    console.log(JSON.stringify(out));
  } finally {
    await service.stop();
    await mongo.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
