/**
 * Query latency and memory of the analytics and dashboard endpoints on embedded defaults
 * (embedded event store, FerretDB), the issue-13 targets:
 *
 *   npm run bench:queries -- [--events 1000000] [--tracks 1000] [--artists 100] [--listeners 50000]
 *     [--days 365] [--seed 1] [--seconds 5] [--connections 10] [--cold-artists 100]
 *     [--compact-timeout 900] [--data-dir DIR] [--service-prof DIR] [--heap-snapshot DIR]
 *     [--service-env K=V,K=V] [--service-node-args "--flag --flag"]
 *
 * Three processes, so that the service's memory is its own: FerretDB (provisioned here, handed
 * to the service with MONGODB_URL), the embedded event store (its CLI, as `npm run eventstore`
 * runs it; handed over with EVENTSTORE_URL) and the service (`src/main.ts`, jobs on). The data
 * set of `npm run dataset` (scripts/generate-dataset.ts) is appended to the store before the
 * service starts (with `--data-dir` naming a directory that already holds one, it is reused);
 * then the bench waits for every projector to reach the head of the log, and for the
 * `compact-rollups` job to empty the delta collections (`track_rollups.*.d`).
 *
 * Measured, in this order: FerretDB's own point reads (`_id` on a partition and on the
 * directory), cold (per scenario: restart the service, wait for /ready, then one first request
 * for each of `--cold-artists` artists, one at a time), warm (one pass per scenario, then
 * `--connections` clients for `--seconds`), and the service's RSS after all of it.
 * Prints machine, commit, parameters and load, tables, and a JSON line at the end. With
 * `--service-prof DIR` every service process writes a CPU profile (`--cpu-prof`) there on exit;
 * with `--heap-snapshot DIR` the last service process writes a heap snapshot there before it
 * stops (after the RSS is read).
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import pino from 'pino';
import { signToken } from '../src/auth/token';
import { connectEventStore } from '../src/eventstore/esdbEventStore';
import { provisionMongo } from '../src/mongo/provision';
import { loadLog } from '../src/projector/testing/loadLog';
import { syntheticArtistId, syntheticTrackId } from '../src/projector/testing/syntheticLog';
import { datasetLog } from './generate-dataset';
import { processRssMb, spawnEventStore, type ChildEventStore } from './lib/childEventStore';
import { spawnService, type SpawnedService } from './lib/service';

type Req = { method: string; path?: string; headers?: Record<string, string> };
type AutocannonResult = {
  latency: { p50: number; p99: number; max: number };
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
const SECONDS = Number(arg('seconds', '5'));
const CONNECTIONS = Number(arg('connections', '10'));
const COLD_ARTISTS = Math.min(ARTISTS, Number(arg('cold-artists', '100')));
const COMPACT_TIMEOUT_S = Number(arg('compact-timeout', '900'));
const PROF_DIR = arg('service-prof', '');
const HEAP_DIR = arg('heap-snapshot', '');
/** Extra environment of the service processes (e.g. MALLOC_ARENA_MAX=2 for an A/B run). */
/** Extra node (V8) flags of the service processes, for A/B runs. */
const SERVICE_NODE_ARGS = arg('service-node-args', '').split(' ').filter(Boolean);
const SERVICE_ENV = Object.fromEntries(
  arg('service-env', '')
    .split(',')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
const DATA_DIR = arg('data-dir', '') || fs.mkdtempSync(path.join(os.tmpdir(), 'bench-queries-'));
const DB_NAME = 'bench_queries';
const SECRET = 'bench-secret-0123456789abcdef';
const admin = signToken(SECRET, { sub: 'bench', role: 'admin' });
const artistId = syntheticArtistId;
const artistToken = (i: number) =>
  signToken(SECRET, { sub: `u-${i}`, role: 'artist', artistId: artistId(i) });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load1 = () => os.loadavg()[0]!.toFixed(1);
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : NaN;
};
const median = (xs: number[]) => quantile(xs, 0.5);
const f1 = (x: number) => x.toFixed(1);

/** The service on the bench's data dir, FerretDB and event store; jobs on (compaction). */
async function startService(mongoUrl: string, es: ChildEventStore, startTimeoutMs = 180_000) {
  const t0 = Date.now();
  const service = await spawnService({
    dataDir: DATA_DIR,
    env: {
      MONGODB_URL: mongoUrl,
      MONGODB_DB: DB_NAME,
      EVENTSTORE_URL: es.connectionString,
      AUTH_JWT_SECRET: SECRET,
      JOBS_ENABLED: 'true',
      ...SERVICE_ENV,
    },
    // Long enough for a compaction run to finish: a killed run keeps its job lease (30 min).
    graceMs: 120_000,
    startTimeoutMs,
    nodeArgs: [
      ...SERVICE_NODE_ARGS,
      ...(PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(PROF_DIR)}`] : []),
      ...(HEAP_DIR
        ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${path.resolve(HEAP_DIR)}`]
        : []),
    ],
  });
  for (;;) {
    const res = await fetch(`${service.url}/ready`).catch(() => undefined);
    if (res?.status === 200) break;
    await sleep(100);
  }
  return { service, readyMs: Date.now() - t0 };
}

async function api(url: string, p: string) {
  const res = await fetch(`${url}${p}`, { headers: { authorization: `Bearer ${admin}` } });
  if (res.status >= 300) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

/** Until every projector's checkpoint has reached the head of the log (read from the store). */
async function waitCaughtUp(url: string, es: ChildEventStore) {
  const started = Date.now();
  const store = connectEventStore(es.connectionString);
  try {
    const head = (await store.headPosition(['track-']))?.commit ?? 0n;
    for (;;) {
      const { projections } = (await api(url, '/api/admin/projections')) as {
        projections: { name: string; checkpoint: string; failed: boolean }[];
      };
      if (projections.some((p) => p.failed)) throw new Error('a projector failed');
      if (projections.length > 0 && projections.every((p) => BigInt(p.checkpoint) >= head))
        return (Date.now() - started) / 1000;
      await sleep(1000);
    }
  } finally {
    await store.close();
  }
}

/** The data set of `npm run dataset` (scripts/generate-dataset.ts), appended to the store. */
async function generate(es: ChildEventStore) {
  const t0 = Date.now();
  const store = connectEventStore(es.connectionString);
  let appended = 0;
  try {
    const log = datasetLog({
      events: EVENTS,
      tracks: TRACKS,
      artists: ARTISTS,
      listeners: LISTENERS,
      days: DAYS,
      seed: SEED,
    });
    const onChunk = (n: number) => {
      appended += n;
      if (appended % 100_000 < n) process.stdout.write(`\rappended ${appended}`);
    };
    await loadLog(store, log, { chunkSize: 5000, onChunk });
  } finally {
    await store.close();
  }
  process.stdout.write('\n');
  return { events: appended, appendSeconds: (Date.now() - t0) / 1000 };
}

const deltaName = /^track_rollups(__g\d+)?\.[^.]+\.d$/;
const partitionName = /^track_rollups(__g\d+)?\.[hdmy][^.]*$/;

/** Documents in the rollups' delta collections, and in their compacted partitions. */
async function rollupDocs(db: Db) {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  const count = async (re: RegExp) => {
    let docs = 0;
    const cols = names.filter((n) => re.test(n));
    for (const c of cols) docs += await db.collection(c).countDocuments();
    return { collections: cols.length, docs };
  };
  return { deltas: await count(deltaName), compacted: await count(partitionName) };
}

/** Until `compact-rollups` has emptied the delta collections (deletion runs 30 s after a fold). */
async function waitCompacted(db: Db) {
  const started = Date.now();
  let last = await rollupDocs(db);
  console.log(`rollups: ${JSON.stringify(last)} (load ${load1()})`);
  while (last.deltas.docs > 0 && Date.now() - started < COMPACT_TIMEOUT_S * 1000) {
    await sleep(2000);
    last = await rollupDocs(db);
    const s = ((Date.now() - started) / 1000).toFixed(0);
    process.stdout.write(`\r${s} s: ${last.deltas.docs} delta documents left   `);
  }
  process.stdout.write('\n');
  return { seconds: (Date.now() - started) / 1000, ...last };
}

async function timeIt(n: number, f: (i: number) => Promise<unknown>) {
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await f(i);
    lat.push(performance.now() - s);
  }
  return { p50: median(lat), p99: quantile(lat, 0.99), n };
}

type DirDoc = { _id: string; containers: Record<string, number> };
type CompactedDoc = { _id: string; cellsJson: string; recentJson?: string };

/**
 * FerretDB's own point reads on the same server in the same run, what a cold request is made
 * of: `findOne` by `_id` of an artist's compacted document in the year's month partition and in
 * the newest hour partition, of one directory entry, the whole directory (`find({})`, as the
 * reader loads it), a catalog entry; plus what parsing the biggest compacted document costs.
 */
async function ferretBaseline(db: Db) {
  const dir = await db.collection<DirDoc>('track_rollups.dir').find({}).toArray();
  const newest = (level: string) =>
    dir
      .filter((d) => d._id.startsWith(level))
      .map((d) => d._id)
      .sort()
      .pop();
  const idsOf = (partition: string) => {
    const d = dir.find((x) => x._id === partition)!;
    return Object.entries(d.containers).map(([c, upTo]) => `${decodeURIComponent(c)}|c${upTo}`);
  };
  const read = async (partition: string) => {
    const ids = idsOf(partition);
    const col = db.collection<CompactedDoc>(`track_rollups.${partition}`);
    const docs = await col.find({}).toArray();
    const biggest = docs.reduce((a, b) => (a.cellsJson.length >= b.cellsJson.length ? a : b));
    const t = performance.now();
    for (let i = 0; i < 20; i++) JSON.parse(biggest.cellsJson);
    return {
      partition,
      documents: docs.length,
      biggestKb: Math.round((biggest.cellsJson.length + (biggest.recentJson?.length ?? 0)) / 1024),
      parseBiggestMs: (performance.now() - t) / 20,
      findOne: await timeIt(200, (i) => col.findOne({ _id: ids[i % ids.length]! })),
    };
  };
  const m = newest('m')!;
  const h = newest('h')!;
  const dirCol = db.collection<DirDoc>('track_rollups.dir');
  return {
    month: await read(m),
    hour: await read(h),
    directoryEntry: await timeIt(200, () => dirCol.findOne({ _id: m })),
    directoryAll: await timeIt(50, () => dirCol.find({}).toArray()),
    directoryDocs: dir.length,
    catalogById: await timeIt(200, (i) =>
      db
        .collection<{ _id: string }>('track_catalog')
        .findOne({ _id: syntheticTrackId(i % TRACKS) }),
    ),
  };
}

type Scenario = { name: string; path: (artist: number) => string; token: (a: number) => string };
const ranges = ['24h', '7d', '30d', '1y', 'all'].map((r) => ({ name: r, q: `timeRange=${r}` }));
ranges.push({ name: '30d LA', q: 'timeRange=30d&tz=America/Los_Angeles' });
const scenarios: Scenario[] = ranges.flatMap(({ name, q }) => [
  { name: `dashboard ${name}`, path: () => `/api/dashboard/stats?${q}`, token: artistToken },
  {
    name: `analytics ${name}`,
    path: (a: number) => `/api/stats/analytics?artistId=${artistId(a)}&${q}`,
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
  const rt = res.headers.get('x-store-round-trips') ?? '';
  const mongo = Number(/mongo=(\d+)/.exec(rt)?.[1] ?? NaN);
  const eventStore = Number(/eventstore=(\d+)/.exec(rt)?.[1] ?? NaN);
  return { ms: performance.now() - t0, mongo, eventStore };
}

type Cold = {
  p50: number;
  p99: number;
  max: number;
  mongoMedian: number;
  mongoMax: number;
  eventStoreMax: number;
  readyMs: number;
  load: string;
};

/** Per scenario: a fresh service (/ready, nothing asked), then one first request per artist. */
async function coldPhase(mongoUrl: string, es: ChildEventStore, first: SpawnedService) {
  let service = first;
  const cold: Record<string, Cold> = {};
  for (const s of scenarios) {
    await service.stop();
    const started = await startService(mongoUrl, es);
    service = started.service;
    const rows = [];
    for (let a = 0; a < COLD_ARTISTS; a++) rows.push(await timed(service.url, s, a));
    const ms = rows.map((r) => r.ms);
    cold[s.name] = {
      p50: median(ms),
      p99: quantile(ms, 0.99),
      max: Math.max(...ms),
      mongoMedian: median(rows.map((r) => r.mongo)),
      mongoMax: Math.max(...rows.map((r) => r.mongo)),
      eventStoreMax: Math.max(...rows.map((r) => r.eventStore)),
      readyMs: started.readyMs,
      load: load1(),
    };
    console.log(`cold ${s.name}: ${JSON.stringify(cold[s.name])}`);
  }
  return { cold, service };
}

type Warm = {
  p50: number;
  p99: number;
  max: number;
  rps: number;
  errors: number;
  mongo: number;
  load: string;
};

async function warm(url: string, s: Scenario): Promise<Warm> {
  for (let a = 0; a < ARTISTS; a++) await timed(url, s, a);
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
    max: result.latency.max,
    rps: result.requests.average,
    errors: result.errors + result.non2xx,
    mongo: sample.mongo,
    load: load1(),
  };
}

function printTable(cold: Record<string, Cold>, warmRes: Record<string, Warm>) {
  console.log(
    `\nscenario             | cold p50   p99   max  mongo/req  load | warm p50  p99   max  req/s err mongo load`,
  );
  for (const s of scenarios) {
    const c = cold[s.name]!;
    const w = warmRes[s.name]!;
    const cells = [
      s.name.padEnd(20),
      '|',
      f1(c.p50).padStart(8),
      f1(c.p99).padStart(5),
      f1(c.max).padStart(5),
      `${c.mongoMedian}–${c.mongoMax}`.padStart(9),
      c.load.padStart(5),
      '|',
      String(w.p50).padStart(8),
      String(w.p99).padStart(4),
      String(w.max).padStart(5),
      w.rps.toFixed(0).padStart(6),
      String(w.errors).padStart(3),
      String(w.mongo).padStart(5),
      w.load.padStart(4),
    ];
    console.log(cells.join(' '));
  }
}

function printHeader(commit: string) {
  const cpu = os.cpus();
  console.log(
    `machine: ${cpu.length}× ${cpu[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log(`commit: ${commit}; start ${new Date().toISOString()}; load ${os.loadavg().map(f1)}`);
  console.log(
    `service env: ${JSON.stringify(SERVICE_ENV)} node args: ${SERVICE_NODE_ARGS.join(' ')}; parameters: events=${EVENTS} tracks=${TRACKS} artists=${ARTISTS} listeners=${LISTENERS} days=${DAYS} seed=${SEED} connections=${CONNECTIONS} seconds=${SECONDS} coldArtists=${COLD_ARTISTS} dataDir=${DATA_DIR}`,
  );
}

/** The data set (generated unless the data dir holds one), projected and compacted. */
async function prepare(mongoUrl: string, es: ChildEventStore, db: Db) {
  const marker = path.join(DATA_DIR, 'bench-queries.json');
  const out: Record<string, unknown> = {};
  const store = connectEventStore(es.connectionString);
  const head = await store.headPosition(['track-']).finally(() => store.close());
  if (!fs.existsSync(marker) && head === undefined) {
    out.dataset = await generate(es);
    console.log(`data set: ${JSON.stringify(out.dataset)} (load ${load1()})`);
  }
  const { service, readyMs } = await startService(mongoUrl, es);
  out.firstStartSeconds = readyMs / 1000;
  console.log(`service ready after ${f1(readyMs / 1000)} s (load ${load1()})`);
  out.catchUpSeconds = await waitCaughtUp(service.url, es);
  console.log(
    `projectors at the head after ${f1(out.catchUpSeconds as number)} s (load ${load1()})`,
  );
  out.compaction = await waitCompacted(db);
  console.log(`compaction: ${JSON.stringify(out.compaction)} (load ${load1()})`);
  fs.writeFileSync(marker, JSON.stringify({ EVENTS, TRACKS, ARTISTS, LISTENERS, DAYS, SEED }));
  return { service, out };
}

async function main() {
  const commit = execSync('git rev-parse --short HEAD').toString().trim();
  printHeader(commit);
  if (HEAP_DIR) fs.mkdirSync(HEAP_DIR, { recursive: true });
  const mongo = await provisionMongo({
    dataDir: path.join(DATA_DIR, 'mongo'),
    logger: pino({ level: 'warn' }),
    provider: 'ferretdb',
  });
  const es = await spawnEventStore(path.join(DATA_DIR, 'eventstore'));
  // An interrupted run (scripts/lib/service.ts exits on SIGINT/SIGTERM) leaves no store behind.
  process.once('exit', () => es.child.kill('SIGKILL'));
  const client = await MongoClient.connect(mongo.url);
  const db = client.db(DB_NAME);
  let service: SpawnedService | undefined;
  const out: Record<string, unknown> = { commit, events: EVENTS, tracks: TRACKS, days: DAYS };
  try {
    const prepared = await prepare(mongo.url, es, db);
    service = prepared.service;
    Object.assign(out, prepared.out);
    out.ferret = await ferretBaseline(db);
    console.log(`FerretDB baseline: ${JSON.stringify(out.ferret)} (load ${load1()})`);
    const coldRun = await coldPhase(mongo.url, es, service);
    service = coldRun.service;
    const warmRes: Record<string, Warm> = {};
    for (const s of scenarios) warmRes[s.name] = await warm(service.url, s);
    const rss = {
      serviceMb: Math.round(processRssMb(service.pid)),
      serviceHwmMb: Math.round(hwmMb(service.pid)),
      eventStoreMb: Math.round(processRssMb(es.pid)),
      ...(await heapOf(service.url)),
    };
    if (HEAP_DIR) await heapSnapshot(service.pid);
    printTable(coldRun.cold, warmRes);
    console.log(`\nRSS after every scenario: ${JSON.stringify(rss)} (load ${load1()})`);
    Object.assign(out, { cold: coldRun.cold, warm: warmRes, rss, end: new Date().toISOString() });
    console.log(JSON.stringify(out));
  } finally {
    await service?.stop();
    await client.close();
    await es.stop();
    await mongo.stop();
  }
}

/** The service's V8 heap and external memory, MB (its /metrics, prom-client's defaults). */
async function heapOf(url: string) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const mb = (name: string) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    return m ? Math.round(Number(m[1]) / 2 ** 20) : NaN;
  };
  return {
    heapUsedMb: mb('nodejs_heap_size_used_bytes'),
    heapTotalMb: mb('nodejs_heap_size_total_bytes'),
    externalMb: mb('nodejs_external_memory_bytes'),
  };
}

/** SIGUSR2 (`--heapsnapshot-signal`): the service writes a snapshot into HEAP_DIR. */
async function heapSnapshot(pid: number) {
  const before = new Set(fs.readdirSync(HEAP_DIR));
  process.kill(pid, 'SIGUSR2');
  const started = Date.now();
  for (;;) {
    const fresh = fs.readdirSync(HEAP_DIR).filter((f) => !before.has(f));
    const done = fresh.find((f) => f.endsWith('.heapsnapshot'));
    if (done && Date.now() - fs.statSync(path.join(HEAP_DIR, done)).mtimeMs > 2000) {
      console.log(`heap snapshot: ${path.join(HEAP_DIR, done)}`);
      return;
    }
    if (Date.now() - started > 300_000) throw new Error('no heap snapshot after 300 s');
    await sleep(1000);
  }
}

/** Peak RSS of a process (VmHWM), MB. */
function hwmMb(pid: number) {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
