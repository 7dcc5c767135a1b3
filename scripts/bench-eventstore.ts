/**
 * Benchmark of the embedded EventStoreDB-protocol server through the official client.
 *   npx tsx scripts/bench-eventstore.ts [--quick] [--big 1000000] [--rounds 3] [--prof DIR] [--only TEXT]
 * The server runs in a child process (the CLI); the client runs here. Each workload runs against
 * our server and right after against the protocol-only null server (scripts/lib/nullEventStore.ts),
 * `--rounds` times; prints machine, commit and parameters, one row per measurement, medians side by
 * side, and a JSON line at the end. `--prof DIR` writes a CPU profile of our server to DIR.
 */
import { execSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventStoreDBClient, END, jsonEvent, START } from '@eventstore/db-client';
import { Store } from '../src/embedded-eventstore/store/eventStore';
import { connectEventStore } from '../src/eventstore/esdbEventStore';
import {
  benchEventData,
  processCpuMs,
  processRssMb,
  spawnEventStore,
  spawnNullStore,
} from './lib/childEventStore';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const quick = process.argv.includes('--quick');
const BIG = Number(arg('--big') ?? (quick ? 100_000 : 1_000_000));
const ROUNDS = Number(arg('--rounds') ?? (quick ? 1 : 3));
const PROF = arg('--prof');
const ONLY = arg('--only');
const selected = (name: string): boolean => ONLY === undefined || name.includes(ONLY);
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
  serverRssMb: number;
  extra?: string;
}
const rows: Row[] = [];

function trackPlayed(i: number) {
  return jsonEvent({ id: randomUUID(), type: 'TrackPlayed', data: benchEventData(i) });
}

type Target = { pid: number; kind: 'embedded' | 'null' };

async function measure(
  name: string,
  es: Target,
  events: number,
  fn: () => Promise<void>,
  extra?: () => string,
) {
  if (!selected(name)) return;
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
    serverRssMb: processRssMb(es.pid),
    extra: extra?.(),
  };
  rows.push(row);
  console.log(
    `${es.kind === 'null' ? '[null] ' : ''}${name.padEnd(44)} ${String(events).padStart(8)} ev ${row.perSec.toFixed(0).padStart(8)} ev/s  client ${row.clientUsPerEvent.toFixed(1).padStart(6)} µs/ev  server ${row.serverUsPerEvent.toFixed(1).padStart(6)} µs/ev  RSS ${row.serverRssMb.toFixed(0).padStart(4)} MB  load ${row.load1.toFixed(1)} ${row.extra ?? ''}`,
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
    `machine: ${os.cpus()[0]?.model} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, commit ${commit}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `params: batches of 1000: ${N_1000}, batches of 50: ${N_50}, single x50 streams: ${N_SINGLE}, live: ${LIVE}, big log: ${BIG}, rounds: ${ROUNDS}${ONLY === undefined ? '' : `, only: ${ONLY}`}`,
  );
  console.log(`fdatasync of a 300-byte append on this disk: ${fsyncLatencyMs().toFixed(2)} ms`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-es-'));
  const profArgs = PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(PROF)}`] : [];
  const es = await spawnEventStore(dir, [], profArgs);
  const nul = await spawnNullStore();
  const client = EventStoreDBClient.connectionString(es.connectionString);
  const nullClient = EventStoreDBClient.connectionString(nul.connectionString);
  const targets: [Target, EventStoreDBClient][] = [
    [{ pid: es.pid, kind: 'embedded' }, client],
    [{ pid: nul.pid, kind: 'null' }, nullClient],
  ];
  const WARMUP = 3000;
  let total = WARMUP;
  try {
    for (const [, c] of targets) {
      // connection, ServerFeatures, JIT of the append paths (batches, concurrent single events)
      // and of the read path: without it the first target measured pays for the JIT
      await appendBatches(c, WARMUP - 1000, 100, 'warmup');
      await Promise.all(
        Array.from({ length: 50 }, async (_, s) => {
          for (let i = s; i < 1000; i += 50) await c.appendToStream(`warmup-${s}`, trackPlayed(i));
        }),
      );
      for await (const _e of c.readAll({ fromPosition: START, maxCount: WARMUP })) void _e;
    }
    // each phase runs against our server, then at once against the null server (same load)
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [t, c] of targets) {
        await measure('append, batches of 1000, one stream', t, N_1000, () =>
          appendBatches(c, N_1000, 1000, `bench-1000-${round}`),
        );
      }
      for (const [t, c] of targets) {
        await measure('append, batches of 50, one stream', t, N_50, () =>
          appendBatches(c, N_50, 50, `bench-50-${round}`),
        );
      }
      for (const [t, c] of targets) {
        await measure('append, single events, 50 streams at once', t, N_SINGLE, async () => {
          await Promise.all(
            Array.from({ length: 50 }, async (_, s) => {
              for (let i = s; i < N_SINGLE; i += 50)
                await c.appendToStream(`bench-single-${round}-${s}`, trackPlayed(i));
            }),
          );
        });
      }
      // phases left out by --only append nothing; the reads below read what is there
      total +=
        (selected('append, batches of 1000, one stream') ? N_1000 : 0) +
        (selected('append, batches of 50, one stream') ? N_50 : 0) +
        (selected('append, single events, 50 streams at once') ? N_SINGLE : 0);
      const n = total;
      for (const [t, c] of targets) {
        await measure('$all catch-up subscription from start', t, n, async () => {
          const sub = c.subscribeToAll({ fromPosition: START });
          let got = 0;
          for await (const _e of sub) if (++got === n) break;
          await sub.unsubscribe();
        });
      }
      for (const [t] of targets) {
        // what the projectors run: src/eventstore's subscription, filtered on stream prefixes
        const store = connectEventStore(
          t.kind === 'null' ? nul.connectionString : es.connectionString,
        );
        const matching = n - WARMUP;
        if (matching === 0) continue;
        await measure('$all catch-up, prefix filter, src/eventstore', t, matching, async () => {
          const sub = store.subscribeToAll({ streamPrefixes: ['bench-'] });
          let got = 0;
          for await (const _e of sub) if (++got === matching) break;
          await sub.close();
        });
        await store.close();
      }
      for (const [t, c] of targets) {
        await measure('readAll forwards', t, n, async () => {
          let got = 0;
          for await (const _e of c.readAll({ fromPosition: START, maxCount: n })) got++;
          if (got !== n) throw new Error(`readAll returned ${got}, expected ${n}`);
        });
      }
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
    console.log(
      `server RSS after ${total + LIVE} events: ${processRssMb(es.pid).toFixed(0)} MB (null server ${processRssMb(nul.pid).toFixed(0)} MB), bench client heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB`,
    );
  } finally {
    await client.dispose();
    await nullClient.dispose();
    await es.stop();
    await nul.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  printMedians();
  if (selected('start-up')) await bigLog();
  console.log(JSON.stringify({ commit, rows }));
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Medians over the rounds, ours next to the null server's. */
function printMedians(): void {
  console.log(`\nmedians of ${ROUNDS} round(s): events/s (client µs/ev, server µs/ev)`);
  console.log(`${'workload'.padEnd(44)} ${'embedded'.padStart(26)} ${'null'.padStart(26)}  ratio`);
  const names = [...new Set(rows.map((r) => r.name))];
  const cell = (rs: Row[]): string =>
    rs.length === 0
      ? '-'
      : `${median(rs.map((r) => r.perSec)).toFixed(0)} (${median(rs.map((r) => r.clientUsPerEvent)).toFixed(1)}, ${median(rs.map((r) => r.serverUsPerEvent)).toFixed(1)})`;
  for (const name of names) {
    const ours = rows.filter((r) => r.name === name && r.target === 'embedded');
    const nul = rows.filter((r) => r.name === name && r.target === 'null');
    const ratio =
      nul.length > 0
        ? (median(ours.map((r) => r.perSec)) / median(nul.map((r) => r.perSec))).toFixed(2)
        : '';
    console.log(
      `${name.padEnd(44)} ${cell(ours).padStart(26)} ${cell(nul).padStart(26)}  ${ratio}`,
    );
  }
  console.log('');
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
        `start-up, ${BIG}-event log, ${label}: ${es.startMs} ms to listening (index/recovery ${es.recoveryMs} ms, server CPU ${processCpuMs(es.pid).toFixed(0)} ms), RSS ${processRssMb(es.pid).toFixed(0)} MB`,
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
