/**
 * npm run bench:projections -- [--events 1000000] [--tracks 1000] [--artists 100]
 *   [--listeners 50000] [--live-rate 5000] [--live-seconds 60] [--skip-live 1]
 *
 * On a fresh embedded event store and a fresh FerretDB (temp dirs): loads the data set, then
 * prints in one run the baselines (raw $all read rate, FerretDB raw insert and update rates),
 * the catch-up of all projectors from the start of the log, a full rebuild (fresh generation +
 * swap), the document writes per 1,000 events, and live lag under a steady append rate.
 */
import { execSync, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { allProjections } from '../projections/all';
import { processCpuMs, spawnEventStore } from '../src/embedded-eventstore/testing/childProcess';
import { trackStreamPrefix } from '../src/events/stored';
import { connectEventStore } from '../src/eventstore/esdbEventStore';
import type { EventStore } from '../src/eventstore/eventStore';
import { createLogger } from '../src/logger';
import { provisionMongo } from '../src/mongo/provision';
import { serverQuirks } from '../src/mongo/serverQuirks';
import { WriteBudget, defaultUpdateBudget } from '../src/mongo/writeBudget';
import { leases } from '../src/projector/lease';
import { projectorMetrics } from '../src/projector/metrics';
import { projectionRegistry } from '../src/projector/registry';
import { projectorSupervisor } from '../src/projector/supervisor';
import { loadLog } from '../src/projector/testing/loadLog';
import { syntheticLog } from '../src/projector/testing/syntheticLog';

const args = z
  .object({
    events: z.coerce.number().int().positive().default(1_000_000),
    tracks: z.coerce.number().int().positive().default(1000),
    artists: z.coerce.number().int().positive().default(100),
    listeners: z.coerce.number().int().positive().default(50_000),
    'live-rate': z.coerce.number().int().positive().default(5000),
    'live-seconds': z.coerce.number().int().positive().default(60),
    'skip-live': z.coerce.number().int().default(0),
    'skip-rebuild': z.coerce.number().int().default(0),
    'rebuild-batch': z.coerce.number().int().positive().default(50_000),
    'live-batch': z.coerce.number().int().positive().default(5000),
    'read-runs': z.coerce.number().int().positive().default(3),
    'live-catalog': z.coerce.number().int().default(0),
  })
  .parse(
    Object.fromEntries(
      process.argv
        .slice(2)
        .map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : undefined))
        .filter((x): x is [string, string] => x !== undefined),
    ),
  );

const out = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;

/** CPU of this process (projectors), the event store child and the other children (FerretDB). */
function childPids(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}
function cpuMeter(esPid: number) {
  const others = childPids().filter((p) => p !== esPid);
  const otherMs = () =>
    others.reduce((s, p) => s + (fs.existsSync(`/proc/${p}`) ? processCpuMs(p) : 0), 0);
  const self0 = process.cpuUsage();
  const es0 = processCpuMs(esPid);
  const other0 = otherMs();
  return {
    perEvent(events: number): string {
      const self = process.cpuUsage(self0);
      const us = (ms: number) => ((ms * 1000) / events).toFixed(1);
      return `projector process ${us((self.user + self.system) / 1000)}, event store ${us(processCpuMs(esPid) - es0)}, FerretDB ${us(otherMs() - other0)}`;
    },
  };
}

async function readAllRate(store: EventStore): Promise<number> {
  const started = Date.now();
  const sub = store.subscribeToAll({ streamPrefixes: [trackStreamPrefix] });
  const head = (await store.headPosition([trackStreamPrefix]))!.commit;
  let n = 0;
  for await (const e of sub) {
    n++;
    if (e.position.commit >= head) break;
  }
  await sub.close();
  return n / ((Date.now() - started) / 1000);
}

async function ferretBaselines(db: Db) {
  const inserts = db.collection('bench_inserts');
  const docs = (k: number) =>
    Array.from({ length: 1000 }, (_, i) => ({
      _id: `${k}-${i}` as never,
      trackId: `t${i}`,
      plays: 1,
      days: { '01': { plays: 1 } },
    }));
  let t = Date.now();
  for (let k = 0; k < 10; k++) await inserts.insertMany(docs(k), { ordered: false });
  const insertRate = 10_000 / ((Date.now() - t) / 1000);
  const updates = db.collection('bench_updates');
  await updates.insertMany(docs(0));
  t = Date.now();
  for (let k = 0; k < 3; k++) {
    await updates.bulkWrite(
      Array.from({ length: 99 }, (_, i) => ({
        updateOne: { filter: { _id: `0-${i + k * 99}` as never }, update: { $inc: { plays: 1 } } },
      })),
      { ordered: false },
    );
  }
  const updateRate1k = 297 / ((Date.now() - t) / 1000);
  t = Date.now();
  await inserts.bulkWrite(
    Array.from({ length: 99 }, (_, i) => ({
      updateOne: { filter: { _id: `0-${i}` as never }, update: { $inc: { plays: 1 } } },
    })),
    { ordered: false },
  );
  const updateRate10k = 99 / ((Date.now() - t) / 1000);
  await inserts.drop();
  await updates.drop();
  return { insertRate, updateRate1k, updateRate10k };
}

async function main() {
  const commit = execSync('git rev-parse --short HEAD').toString().trim();
  out(`# bench:projections  commit ${commit}  ${new Date().toISOString()}`);
  out(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load avg ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  out(`parameters: ${JSON.stringify(args)}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-proj-'));
  const logger = createLogger('warn');
  // The event store in its own process, as in production: this process's CPU is the projectors'.
  const es = await spawnEventStore(path.join(dir, 'es'));
  const store = connectEventStore(es.connectionString);
  const mongo = await provisionMongo({
    dataDir: path.join(dir, 'mongo'),
    logger,
    provider: 'ferretdb',
  });
  const client = await MongoClient.connect(mongo.url);
  const db = client.db('bench');
  try {
    let t = Date.now();
    const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000);
    const total = await loadLog(
      store,
      syntheticLog({ ...args, from: new Date(end.getTime() - 365 * 86_400_000), to: end, seed: 1 }),
      { chunkSize: 5000 },
    );
    out(
      `load: ${total} events appended in ${((Date.now() - t) / 1000).toFixed(1)} s (${Math.round(total / ((Date.now() - t) / 1000))}/s)`,
    );

    const readCpu = cpuMeter(es.pid);
    const reads: number[] = [];
    for (let i = 0; i < args['read-runs']; i++) reads.push(await readAllRate(store));
    const readCpuLine = readCpu.perEvent(total * args['read-runs']);
    out(
      `baseline raw $all read (filtered to track-, through the official client): median ${Math.round(median(reads))} events/s (${reads.length} runs, load avg ${os.loadavg()[0]!.toFixed(1)})`,
    );
    out(`  CPU µs per event: ${readCpuLine}`);
    const ferret = [
      await ferretBaselines(db),
      await ferretBaselines(db),
      await ferretBaselines(db),
    ];
    out(
      `baseline FerretDB insertMany (1,000/command): median ${Math.round(median(ferret.map((f) => f.insertRate)))} docs/s`,
    );
    out(
      `baseline FerretDB updates of existing docs (99/command) in a 1,000-doc collection: median ${Math.round(median(ferret.map((f) => f.updateRate1k)))}/s; in a 10,000-doc collection: ${Math.round(median(ferret.map((f) => f.updateRate10k)))}/s`,
    );

    const registry = new Registry();
    const metrics = projectorMetrics(registry);
    const budget = new WriteBudget(defaultUpdateBudget(await serverQuirks(db)));
    const supervisor = (owner: string) =>
      projectorSupervisor({
        store,
        db,
        registry: projectionRegistry(allProjections),
        logger,
        leases: leases(db, owner, budget),
        writeBudget: budget,
        batchSize: args['live-batch'],
        rebuildBatchSize: args['rebuild-batch'],
        batchDelayMs: 100,
        batchMaxDelayMs: 1000,
        bulkChunkSize: 99,
        metrics,
        pollMs: 1000,
      });

    // Catch-up: every projector from position 0, concurrently (what a fresh start does).
    const cpu = cpuMeter(es.pid);
    t = Date.now();
    const live = supervisor('bench');
    await live.start();
    for (;;) {
      const s = live.status();
      if (s.some((p) => p.failed)) throw new Error(JSON.stringify(s));
      if (s.every((p) => p.caughtUp && p.eventsPending === 0)) break;
      await sleep(200);
    }
    const catchUp = (Date.now() - t) / 1000;
    out(
      `catch-up (${allProjections.length} projectors concurrently, one shared feed, batch ${args['rebuild-batch']}): ${catchUp.toFixed(1)} s = ${Math.round(total / catchUp)} log events/s  (load avg ${os.loadavg()[0]!.toFixed(1)})`,
    );
    out(`  CPU µs per event: ${cpu.perEvent(total)}`);
    const writes = await registry.getSingleMetric('projector_document_writes_total')!.get();
    for (const { name } of allProjections) {
      const n = writes.values
        .filter((v) => v.labels.projection === name)
        .reduce((s, v) => s + v.value, 0);
      out(`  document writes per 1,000 events, ${name}: ${((n / total) * 1000).toFixed(1)}`);
    }

    // Full rebuild: fresh generation for each projection, swapped in when caught up.
    if (!args['skip-rebuild']) await rebuild(live, es.pid, total);
    if (!args['skip-live']) await liveLag(es.connectionString, live, end);
    await live.stop();
  } finally {
    await client.close();
    await store.close();
    await es.stop();
    await mongo.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function rebuild(live: ReturnType<typeof projectorSupervisor>, esPid: number, total: number) {
  const rebuildCpu = cpuMeter(esPid);
  const t = Date.now();
  const rebuilt = await live.rebuildAll();
  out(
    `full rebuild (all at once on one shared read, live projectors running): ${((Date.now() - t) / 1000).toFixed(1)} s  ${rebuilt.map((r) => (r.ok ? `${r.projection} ${r.seconds.toFixed(1)} s` : `${r.projection} FAILED ${r.message}`)).join(', ')}  (load avg ${os.loadavg()[0]!.toFixed(1)})`,
  );
  out(`  CPU µs per event (all rebuilds): ${rebuildCpu.perEvent(total)}`);
}

async function liveLag(esUrl: string, live: ReturnType<typeof projectorSupervisor>, start: Date) {
  const rate = args['live-rate'];
  const seconds = args['live-seconds'];
  const appended: { at: number; position: bigint }[] = [];
  const lags: number[] = [];
  let polling = true;
  let stopPollingAt = Infinity;
  const poller = (async () => {
    while ((polling || appended.length > 0) && Date.now() < stopPollingAt) {
      const checkpoint = live
        .status()
        .reduce((m, p) => (p.checkpoint < m ? p.checkpoint : m), BigInt(Number.MAX_SAFE_INTEGER));
      const now = Date.now();
      while (appended.length > 0 && appended[0]!.position <= checkpoint)
        lags.push(now - appended.shift()!.at);
      await sleep(50);
    }
  })();
  // The load comes from another process (as ingestion would): this one only projects.
  const cpu = process.cpuUsage();
  const started = Date.now();
  const child = fork(
    path.join(__dirname, 'lib/liveAppender.ts'),
    [
      JSON.stringify({
        url: esUrl,
        rate,
        seconds,
        ...args,
        catalog: args['live-catalog'],
        from: start.toISOString(),
      }),
    ],
    { execArgv: ['--import', 'tsx'] },
  );
  const done = await new Promise<{ events: number; ms: number }>((resolve, reject) => {
    child.on(
      'message',
      (m: { at?: number; position?: string; done?: boolean; events: number; ms: number }) => {
        if (m.done) resolve(m);
        else appended.push({ at: m.at!, position: BigInt(m.position!) });
      },
    );
    child.on('exit', (code) =>
      code ? reject(new Error(`live appender exited ${code}`)) : undefined,
    );
  });
  const loadEnd = Date.now();
  const used = process.cpuUsage(cpu);
  out(
    `live: appended ${done.events} events in ${(done.ms / 1000).toFixed(1)} s (${Math.round(done.events / (done.ms / 1000))}/s, offered ${rate}/s; separate process)  (load avg ${os.loadavg()[0]!.toFixed(1)})`,
  );
  out(
    `  projector process CPU during the load: ${(((used.user + used.system) / 1000 / (loadEnd - started)) * 100).toFixed(0)}% of a core, ${((used.user + used.system) / done.events).toFixed(1)} µs per event`,
  );
  polling = false;
  const deadline = Date.now() + 120_000;
  stopPollingAt = deadline + 1000;
  while (appended.length > 0 && Date.now() < deadline) await sleep(100);
  await poller;
  if (appended.length > 0)
    out(
      `  NOT drained; projectors: ${JSON.stringify(live.status().map((p) => ({ name: p.name, checkpoint: String(p.checkpoint), pending: p.eventsPending, caughtUp: p.caughtUp, failed: p.failed, failure: p.failure, running: p.running })))}; feed consumers ${live.feed.consumers()}`,
    );
  out(
    `live lag (append ack → every checkpoint past it): p50 ${median(lags)} ms, p99 ${quantile(lags, 0.99)} ms, max ${Math.max(...lags)} ms; back to zero ${((Date.now() - loadEnd) / 1000).toFixed(1)} s after the load stopped${appended.length ? ` (NOT drained: ${appended.length} ticks left)` : ''}`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
