/**
 * npm run bench:write-budget -- [--budgets 48,96,10000] [--runs 1] [--writers 6]
 *   [--updates 300] [--singles 4] [--timeout-s 30]
 *
 * For each budget, on a fresh FerretDB of its own (temp dir; a hung one is killed after): many
 * writers at once through `WriteBudget` (src/mongo/testing/concurrentWriters.ts), bulk writers
 * updating existing documents in commands of up to 99, single writers one `updateOne` at a time.
 * Prints updates/s, commands, lost or doubled updates, or that the database hung.
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { z } from 'zod';
import { startFerretdb, FERRETDB_VERSION } from '../src/mongo/ferretdb';
import {
  countWriterLoadMisses,
  runWriterLoad,
  seedWriterLoad,
  type WriterLoad,
} from '../src/mongo/testing/concurrentWriters';
import { WriteBudget } from '../src/mongo/writeBudget';

const args = z
  .object({
    budgets: z.string().default('48,96,10000'),
    runs: z.coerce.number().int().positive().default(1),
    writers: z.coerce.number().int().positive().default(6),
    updates: z.coerce.number().int().positive().default(300),
    singles: z.coerce.number().int().min(0).default(4),
    'timeout-s': z.coerce.number().positive().default(30),
  })
  .parse(
    Object.fromEntries(
      process.argv
        .slice(2)
        .join(' ')
        .split('--')
        .filter(Boolean)
        .map((kv) => kv.trim().split(/\s+/)),
    ),
  );

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p.then((value) => ({ value })),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref()),
  ]);

async function measure(budget: number, load: WriterLoad): Promise<string> {
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-budget-'));
  const ferretdb = await startFerretdb({ dataDir: dir, stopTimeoutMs: 3_000 });
  const client = await MongoClient.connect(ferretdb.url, { maxPoolSize: 200 });
  try {
    const db = client.db('bench');
    await seedWriterLoad(db, load);
    const run = runWriterLoad(db, new WriteBudget(budget), load);
    run.catch(() => undefined);
    const done = await within(run, args['timeout-s'] * 1000);
    if (!done) {
      const find = await within(db.collection('load_bulk_0').findOne({}), 5_000);
      return `HUNG: not done in ${args['timeout-s']} s; a find afterwards ${find ? 'answered' : 'timed out'}`;
    }
    const r = done.value;
    const misses = await countWriterLoadMisses(db, load, 1);
    return `${r.updates} updates in ${(r.ms / 1000).toFixed(1)} s = ${Math.round(r.updates / (r.ms / 1000))}/s, ${r.commands} commands, ${misses} documents wrong`;
  } finally {
    await client.close(true).catch(() => undefined);
    await ferretdb.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const load: WriterLoad = {
    prefix: 'load',
    bulkWriters: args.writers,
    updatesPerWriter: args.updates,
    chunkSize: 99,
    singleWriters: args.singles,
    singleUpdatesPerWriter: 25,
  };
  const commit = execSync('git rev-parse --short HEAD').toString().trim();
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, commit ${commit}, FerretDB ${FERRETDB_VERSION} (SQLite)`,
  );
  console.log(`load: ${JSON.stringify(load)}`);
  for (let run = 0; run < args.runs; run++) {
    for (const budget of args.budgets.split(',').map(Number)) {
      const line = await measure(budget, load);
      console.log(`budget ${budget}: ${line}  (load avg ${os.loadavg()[0]!.toFixed(1)})`);
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
