import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Db, Document } from 'mongodb';
import {
  foldCounters,
  trackCounters,
  type TrackCountersDoc,
} from '../../projections/trackCounters';
import { mergeRecent } from '../../projections/lib/rollupCells';
import { trackRollups } from '../../projections/trackRollups';
import { unpackRollup, type PackedRollup } from '../readModels/rollups/documents';
import { rollupSnapshot } from '../readModels/rollups/snapshot';
import { testDatabase, testMongoUrl, testWriteBudget } from '../../test/mongo';
import { syntheticStore, type SyntheticStore } from './testing/syntheticStore';
import type { EventStore } from '../eventstore/eventStore';
import { createLogger } from '../logger';
import { leases } from './lease';
import { physicalName } from '../readModels/pointers';
import { projectionRegistry } from './registry';
import { projectorSupervisor } from './supervisor';

/**
 * Exactly-once under crashes: a projector child process is killed with SIGKILL at random
 * moments (mostly inside a batch write: batches are small and writes dominate), restarted,
 * killed again; then it finishes, and its read models must equal a clean rebuild's.
 */
const mongo = testDatabase('crash');
const owner = 'crash-test-owner';
let es: SyntheticStore;
let store: EventStore;

beforeAll(async () => {
  es = await syntheticStore('crash', {
    events: 1_500,
    tracks: 30,
    artists: 6,
    listeners: 400,
    from: new Date('2026-01-20T00:00:00Z'),
    to: new Date('2026-03-10T00:00:00Z'),
    seed: 11,
  });
  store = es.store;
}, 60_000);

afterAll(async () => {
  await es?.close();
});

function runChild(killAfterMs: number): Promise<string> {
  const child = spawn(
    process.execPath,
    // One process (not the tsx CLI, which forks): SIGKILL must hit the projector itself.
    [
      '--import',
      'tsx',
      path.join(__dirname, 'testing', 'projectorChild.ts'),
      es.connectionString,
      testMongoUrl(),
      mongo.name,
      '100',
      owner,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('started\n') && !timer)
      timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  });
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  let timer: NodeJS.Timeout | undefined;
  return new Promise((resolve) => child.on('exit', () => (clearTimeout(timer), resolve(out))));
}

const budget = testWriteBudget();

const supervisorFor = (db: Db) =>
  projectorSupervisor({
    store,
    db,
    registry: projectionRegistry([trackCounters, trackRollups]),
    logger: createLogger('silent'),
    leases: leases(db, owner, budget),
    writeBudget: budget,
    batchSize: 100,
    rebuildBatchSize: 5000,
    batchDelayMs: 5,
    bulkChunkSize: 99,
    pollMs: 200,
  });

const viewsOf = (db: Db, generation: number) =>
  rollupSnapshot(db, (logical) => physicalName(logical, generation), Number.MAX_SAFE_INTEGER);
const countersOf = async (db: Db, generation: number) => {
  const docs = await db
    .collection<TrackCountersDoc>(physicalName('track_counters', generation))
    .find({})
    .toArray();
  const catalog = await db.collection(physicalName('track_catalog', generation)).find({}).toArray();
  return {
    counters: Object.fromEntries([...foldCounters(docs)].sort(([a], [b]) => (a < b ? -1 : 1))),
    catalog: Object.fromEntries(catalog.map(({ _pos: _p, ...d }: Document) => [String(d._id), d])),
  };
};
/** Every track's newest plays and likes across the hour partitions (deltas and compacted). */
const recentOf = async (db: Db, generation: number) => {
  const prefix = `${physicalName('track_rollups', generation)}.h`;
  const names = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((n) => n.startsWith(prefix));
  const lists = [];
  for (const name of names)
    for (const doc of await db.collection<PackedRollup>(name).find({}).toArray())
      lists.push(unpackRollup(doc).recent);
  const merged = mergeRecent(lists);
  return Object.fromEntries(
    [...merged.keys()].sort().map((t) => [
      t,
      {
        plays: merged.get(t)!.plays.map((p) => p.eventId),
        likes: merged.get(t)!.likes.map((l) => l.eventId),
      },
    ]),
  );
};

it('read models after repeated kill -9 mid-batch equal a clean rebuild', async () => {
  const db = mongo.db;
  let replays = 0;
  // Kill moments spread over the first second of each run: with small documents the whole log
  // (15 batches per projector) is written in well under a second, so later kills would find
  // nothing left to interrupt.
  // More runs (up to 16) while no kill has landed inside a batch yet.
  for (let i = 0; i < 6 || (replays === 0 && i < 16); i++) {
    const out = await runChild(40 + ((i * 137) % 600));
    expect(out).not.toMatch(/Error/);
    replays += (out.match(/replaying an interrupted batch/g) ?? []).length;
  }
  const live = supervisorFor(db);
  await live.start();
  for (;;) {
    const s = live.status();
    if (s.every((p) => p.running && p.caughtUp && p.eventsPending === 0)) break;
    if (s.some((p) => p.failed)) throw new Error(JSON.stringify(s));
    await new Promise((r) => setTimeout(r, 100));
  }
  await live.stop();
  const rebuilt = await supervisorFor(db).rebuildAll();
  expect(rebuilt.map((r) => r.ok && r.generation)).toEqual([1, 1]);

  expect(await countersOf(db, 0)).toEqual(await countersOf(db, 1));
  const views = await viewsOf(db, 1);
  const cells = Object.values(views).flatMap((tracks) =>
    Object.values(tracks).flatMap((keys) => Object.keys(keys)),
  );
  expect(cells.length).toBeGreaterThan(30);
  expect(await viewsOf(db, 0)).toEqual(views);
  const recent = await recentOf(db, 1);
  expect(Object.keys(recent).length).toBeGreaterThan(3);
  expect(await recentOf(db, 0)).toEqual(recent);
  // The kills did land inside batches (a pending intent was found and replayed).
  expect(replays).toBeGreaterThan(0);
}, 240_000);
