/**
 * Benchmark of the embedded EventStoreDB-protocol server through the official client.
 *   npx tsx scripts/bench-eventstore.ts [--quick] [--big 1000000]
 * The server runs in a child process (the CLI); the client runs here. Prints machine, commit and
 * parameters, then one row per measurement, and a JSON line at the end.
 */
import { execSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventStoreDBClient, END, jsonEvent, START } from '@eventstore/db-client';
import { Store } from '../src/embedded-eventstore/store/eventStore';
import { spawnEventStore, processCpuMs, processRssMb } from './lib/childEventStore';

const quick = process.argv.includes('--quick');
const bigArg = process.argv.indexOf('--big');
const BIG = bigArg > 0 ? Number(process.argv[bigArg + 1]) : quick ? 100_000 : 1_000_000;
const N_1000 = quick ? 20_000 : 100_000;
const N_50 = quick ? 10_000 : 50_000;
const N_SINGLE = quick ? 5_000 : 20_000;
const LIVE = quick ? 500 : 2_000;

interface Row {
  name: string;
  target: 'embedded' | 'null';
  load1: number;
  events: number;
  seconds: number;
  perSec: number;
  clientUsPerEvent: number;
  serverUsPerEvent: number;
  extra?: string;
}
const rows: Row[] = [];

function trackPlayed(i: number) {
  return jsonEvent({
    id: randomUUID(),
    type: 'TrackPlayed',
    data: {
      trackId: `t${i % 5000}`,
      listenerId: `listener-${i % 20000}`,
      sessionId: `session-${i % 50000}`,
      occurredAt: '2026-11-26T12:00:00.000Z',
      receivedAt: '2026-11-26T12:00:00.100Z',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench',
      ipHash: 'a1b2c3d4e5f6',
      source: 'playlist',
      playlistId: 'pl-42',
      durationSeconds: 187,
      completionRate: 93.5,
      replayed: false,
    },
  });
}

type Target = { pid: number; kind: 'embedded' | 'null' };

async function measure(
  name: string,
  es: Target,
  events: number,
  fn: () => Promise<void>,
  extra?: () => string,
) {
  const c0 = process.cpuUsage();
  const s0 = processCpuMs(es.pid);
  const t0 = performance.now();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const s = processCpuMs(es.pid) - s0;
  const row: Row = {
    name,
    target: es.kind,
    load1: os.loadavg()[0]!,
    events,
    seconds,
    perSec: events / seconds,
    clientUsPerEvent: (c.user + c.system) / events,
    serverUsPerEvent: (s * 1000) / events,
    extra: extra?.(),
  };
  rows.push(row);
  console.log(
    `${es.kind === 'null' ? '[null] ' : ''}${name.padEnd(44)} ${String(events).padStart(8)} ev ${row.perSec.toFixed(0).padStart(8)} ev/s  client ${row.clientUsPerEvent.toFixed(1).padStart(6)} µs/ev  server ${row.serverUsPerEvent.toFixed(1).padStart(6)} µs/ev  load ${row.load1.toFixed(1)} ${row.extra ?? ''}`,
  );
}

async function appendBatches(
  client: EventStoreDBClient,
  total: number,
  batch: number,
  stream: string,
) {
  for (let i = 0; i < total; i += batch) {
    await client.appendToStream(
      stream,
      Array.from({ length: batch }, (_, j) => trackPlayed(i + j)),
    );
  }
}

async function liveLatency(client: EventStoreDBClient, n: number): Promise<number[]> {
  const sub = client.subscribeToAll({ fromPosition: END });
  await new Promise((r) => sub.once('confirmation', r));
  const sent = new Map<string, number>();
  const lat: number[] = [];
  const done = (async () => {
    for await (const e of sub) {
      const t = sent.get(e.event!.id);
      if (t !== undefined) lat.push(performance.now() - t);
      if (lat.length === n) break;
    }
  })();
  for (let i = 0; i < n; i++) {
    const ev = trackPlayed(i);
    sent.set(ev.id, performance.now());
    await client.appendToStream(`live-${i % 10}`, ev);
    await new Promise((r) => setTimeout(r, 2));
  }
  await done;
  await sub.unsubscribe();
  return lat.sort((a, b) => a - b);
}

const pct = (xs: number[], p: number) =>
  xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

async function buildBigLog(dir: string, total: number): Promise<void> {
  const store = await Store.open({ dataDir: dir });
  const batch = 1000;
  const data = Buffer.from(JSON.stringify(trackPlayed(0).data));
  for (let i = 0; i < total; i += batch) {
    const events = Array.from({ length: batch }, () => ({
      id: Buffer.from(randomUUID().replace(/-/g, ''), 'hex'),
      type: 'TrackPlayed',
      contentType: 'application/json',
      data,
      metadata: Buffer.alloc(0),
    }));
    await store.append(`track-${(i / batch) % 5000}`, { kind: 'any' }, events);
  }
  await store.close();
}

async function main() {
  const commit = execSync('git rev-parse --short HEAD', { cwd: __dirname }).toString().trim();
  console.log(
    `machine: ${os.cpus()[0]?.model} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, commit ${commit}`,
  );
  console.log(
    `params: batches of 1000: ${N_1000}, batches of 50: ${N_50}, single x50 streams: ${N_SINGLE}, live: ${LIVE}, big log: ${BIG}`,
  );
  console.log(`fdatasync of a 300-byte append on this disk: ${fsyncLatencyMs().toFixed(2)} ms`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-es-'));
  const es = await spawnEventStore(dir);
  const nul = await spawnNullStore();
  const client = EventStoreDBClient.connectionString(es.connectionString);
  const nullClient = EventStoreDBClient.connectionString(`esdb://127.0.0.1:${nul.port}?tls=false`);
  const targets: [Target, EventStoreDBClient][] = [
    [{ pid: es.pid, kind: 'embedded' }, client],
    [{ pid: nul.pid, kind: 'null' }, nullClient],
  ];
  try {
    for (const [, c] of targets) await appendBatches(c, 2000, 100, 'warmup'); // connection, ServerFeatures, JIT
    // each phase runs against our server, then at once against the null server (same load)
    for (const [t, c] of targets) {
      await measure('append, batches of 1000, one stream', t, N_1000, () =>
        appendBatches(c, N_1000, 1000, 'bench-1000'),
      );
    }
    for (const [t, c] of targets) {
      await measure('append, batches of 50, one stream', t, N_50, () =>
        appendBatches(c, N_50, 50, 'bench-50'),
      );
    }
    for (const [t, c] of targets) {
      await measure('append, single events, 50 streams at once', t, N_SINGLE, async () => {
        await Promise.all(
          Array.from({ length: 50 }, async (_, s) => {
            for (let i = s; i < N_SINGLE; i += 50)
              await c.appendToStream(`bench-single-${s}`, trackPlayed(i));
          }),
        );
      });
    }
    const total = 2000 + N_1000 + N_50 + N_SINGLE;
    for (const [t, c] of targets) {
      await measure('$all catch-up subscription from start', t, total, async () => {
        const sub = c.subscribeToAll({ fromPosition: START });
        let n = 0;
        for await (const _e of sub) if (++n === total) break;
        await sub.unsubscribe();
      });
    }
    for (const [t, c] of targets) {
      await measure('readAll forwards', t, total, async () => {
        let n = 0;
        for await (const _e of c.readAll({ fromPosition: START, maxCount: total })) n++;
        if (n !== total) throw new Error(`readAll returned ${n}, expected ${total}`);
      });
    }
    let lat: number[] = [];
    await measure(
      'live delivery (append -> subscriber)',
      targets[0]![0],
      LIVE,
      async () => {
        lat = await liveLatency(client, LIVE);
      },
      () =>
        `p50 ${pct(lat, 50).toFixed(2)} ms, p99 ${pct(lat, 99).toFixed(2)} ms, max ${lat[lat.length - 1]!.toFixed(2)} ms`,
    );
    console.log(`server RSS after ${total} events: ${processRssMb(es.pid).toFixed(0)} MB`);
  } finally {
    await client.dispose();
    await nullClient.dispose();
    await es.stop();
    nul.child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  await bigLog();
  console.log(JSON.stringify({ commit, rows }));
}

function fsyncLatencyMs(): number {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fsync-')), 'f');
  const fd = fs.openSync(file, 'w');
  const buf = Buffer.alloc(300, 1);
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) {
    fs.writeSync(fd, buf);
    fs.fdatasyncSync(fd);
  }
  const ms = (performance.now() - t0) / 100;
  fs.closeSync(fd);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return ms;
}

/** The protocol-only server (scripts/lib/nullEventStore.ts) in a child process. */
function spawnNullStore(): Promise<{ pid: number; port: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'lib/nullEventStore.ts')],
    {
      cwd: path.resolve(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`null server exited with ${code}`)));
    child.stdout!.once('data', (d: Buffer) => {
      const { port } = JSON.parse(d.toString()) as { port: number };
      resolve({ pid: child.pid!, port, child });
    });
  });
}

async function bigLog() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-es-big-'));
  try {
    const t0 = performance.now();
    await buildBigLog(dir, BIG);
    const bytes = fs.readdirSync(dir).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
    console.log(
      `built a ${BIG}-event log (${(bytes / 2 ** 20).toFixed(0)} MiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    for (const label of ['after clean shutdown', 'after kill -9']) {
      const es = await spawnEventStore(dir);
      console.log(
        `start-up, ${BIG}-event log, ${label}: ${es.startMs} ms to listening (index/recovery ${es.recoveryMs} ms), RSS ${processRssMb(es.pid).toFixed(0)} MB`,
      );
      const client = EventStoreDBClient.connectionString(es.connectionString);
      await client.appendToStream('after-start', trackPlayed(0));
      await client.dispose();
      await es.stop(label === 'after clean shutdown' ? 'SIGKILL' : 'SIGTERM');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
