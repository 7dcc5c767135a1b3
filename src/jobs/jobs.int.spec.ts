import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from 'mongodb';
import {
  counterShardOf,
  trackCounters,
  type TrackCountersDoc,
} from '../../projections/trackCounters';
import { trackRollups } from '../../projections/trackRollups';
import { testDatabase, testWriteBudget } from '../../test/mongo';
import { startEmbeddedEventStore, type EmbeddedEventStore } from '../embedded-eventstore/server';
import { connectEventStore } from '../eventstore/esdbEventStore';
import type { EventStore } from '../eventstore/eventStore';
import { createLogger } from '../logger';
import { checkpointStore } from '../readModels/checkpointStore';
import { leases } from '../projector/lease';
import { projectionRegistry } from '../projector/registry';
import { projectorSupervisor } from '../projector/supervisor';
import { loadLog } from '../projector/testing/loadLog';
import { syntheticLog, syntheticTrackId } from '../projector/testing/syntheticLog';
import { applyRetention } from './applyRetention';
import { readTrackCounters } from '../readModels/trackCounters';
import { compactCounters } from './compactCounters';
import { compactRollups, deletionGraceMs, deltaPartitions } from '../readModels/rollups/compaction';
import { partitionContents } from '../readModels/rollups/partitionContents';
import { encodeRollupDelta, type RollupDeltaDoc } from '../readModels/rollups/documents';
import { rollupSnapshot } from '../readModels/rollups/snapshot';
import { reconcileDay } from './reconcileDay';

const mongo = testDatabase('jobs');
const budget = testWriteBudget();
let dir: string;
let server: EmbeddedEventStore;
let store: EventStore;
const day = new Date('2026-02-03T00:00:00Z');

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-es-'));
  server = await startEmbeddedEventStore({ dataDir: dir, port: 0 });
  store = connectEventStore(server.connectionString);
  await loadLog(
    store,
    syntheticLog({
      events: 600,
      tracks: 8,
      artists: 2,
      listeners: 50,
      from: new Date('2026-02-01T00:00:00Z'),
      to: new Date('2026-02-06T00:00:00Z'),
      seed: 3,
    }),
    { chunkSize: 100 },
  );
  const supervisor = projectorSupervisor({
    store,
    db: mongo.db,
    registry: projectionRegistry([trackCounters, trackRollups]),
    logger: createLogger('silent'),
    leases: leases(mongo.db, 'jobs-test', budget),
    writeBudget: budget,
    // Small batches: many documents per partition, for compaction to work on.
    batchSize: 10,
    rebuildBatchSize: 10,
    batchDelayMs: 5,
    bulkChunkSize: 99,
  });
  await supervisor.start();
  for (;;) {
    const s = supervisor.status();
    if (s.every((p) => p.caughtUp && p.eventsPending === 0 && p.checkpoint > 0n)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await supervisor.stop();
}, 120_000);

afterAll(async () => {
  await store?.close();
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const rollups = (_db: Db) => (logical: string) => logical;
const views = async (db: Db) => {
  const cp = Number((await checkpointStore(db).load('trackRollups')).position);
  return rollupSnapshot(db, rollups(db), cp);
};
const deltaCount = async (db: Db) => {
  let n = 0;
  for (const p of await deltaPartitions(db, 'track_rollups')) {
    n += await db.collection(`track_rollups.${p}.d`).countDocuments();
  }
  return n;
};

it('compaction folds deltas into one document per partition and container, reading the same; twice is harmless', async () => {
  const before = await views(mongo.db);
  expect(Object.keys(before).length).toBeGreaterThan(3);
  const deltasBefore = await deltaCount(mongo.db);
  const t0 = new Date('2030-01-01T00:00:00Z');
  const report = await compactRollups(mongo.db, budget, t0);
  expect(report.deltasMerged).toBe(deltasBefore);
  expect(await views(mongo.db)).toEqual(before);
  expect((await compactRollups(mongo.db, budget, t0)).deltasMerged).toBe(0);
  expect(await views(mongo.db)).toEqual(before);
  // Folded deltas and superseded versions go once the grace period has passed.
  await compactRollups(mongo.db, budget, new Date(t0.getTime() + deletionGraceMs));
  expect(await deltaCount(mongo.db)).toBe(0);
  expect(await views(mongo.db)).toEqual(before);
});

it('counter compaction folds deltas into one document per shard and reads the same; twice is harmless', async () => {
  const known = await mongo.db.collection('track_catalog').find({}).toArray();
  const ids = {
    trackIds: [
      ...known.map((d) => String(d._id)),
      ...Array.from({ length: 8 }, (_, i) => syntheticTrackId(i)),
    ],
  };
  const before = await readTrackCounters(mongo.db, ids);
  expect(before.reduce((n, t) => n + t.playCount, 0)).toBeGreaterThan(100);
  const deltas = await mongo.db.collection('track_counters').countDocuments({ kind: 'delta' });
  const report = await compactCounters(mongo.db, budget);
  expect(report.deltasMerged).toBe(deltas);
  expect(await mongo.db.collection('track_counters').countDocuments({ kind: 'delta' })).toBe(0);
  expect(await readTrackCounters(mongo.db, ids)).toEqual(before);
  expect((await compactCounters(mongo.db, budget)).groups).toBe(0);
  expect(await readTrackCounters(mongo.db, ids)).toEqual(before);
  // An artist's tracks come from the catalog, with their counters.
  const artistId = before.find((t) => t.artistId)!.artistId!;
  expect(await readTrackCounters(mongo.db, { artistId })).toEqual(
    before.filter((t) => t.artistId === artistId).sort((a, b) => (a.trackId < b.trackId ? -1 : 1)),
  );
});

it('reconciliation reports no drift on a healthy model, then finds and repairs injected drift', async () => {
  expect((await reconcileDay(mongo.db, store, day, { repair: true, budget })).drift).toEqual([]);
  // Compacted above: one document per (partition, container); find a track with plays on the 3rd.
  const days = await partitionContents(mongo.db, rollups(mongo.db), 'd2026-02', Infinity);
  const trackId = [...days].find(([, cells]) => (cells['03']?.plays ?? 0) > 0)![0];
  const [counted] = await mongo.db
    .collection<TrackCountersDoc>('track_counters')
    .find({ kind: 'compacted', shard: counterShardOf(trackId) })
    .toArray();
  // A lost or doubled write: the counters claim 5 plays too many.
  await mongo.db
    .collection<TrackCountersDoc>('track_counters')
    .updateOne({ _id: counted!._id }, { $inc: { [`tracks.${trackId}.playCount`]: 5 } });
  // A lost or doubled write: the day's deltas claim 2 plays too many on the 3rd.
  const cp = Number((await checkpointStore(mongo.db).load('trackRollups')).position);
  await mongo.db.collection<RollupDeltaDoc>('track_rollups.d2026-02.d').insertOne(
    encodeRollupDelta({
      _id: 'doubled',
      container: 'doubled', // not compacted yet: counted by every reader of the partition
      pos: cp,
      cells: new Map([[trackId, { '03': { plays: 2 } }]]),
    }),
  );
  expect(
    (await partitionContents(mongo.db, rollups(mongo.db), 'd2026-02', cp)).get(trackId)!['03']!
      .plays,
  ).toBe(days.get(trackId)!['03']!.plays! + 2);
  const found = await reconcileDay(mongo.db, store, day, { repair: true, budget });
  expect(found.drift.map((d) => d.field).sort()).toEqual([
    'counters.playCount',
    'rollups.03.plays',
  ]);
  // The corrections count from the next batch on (they sit just past the checkpoint).
  await checkpointStore(mongo.db, budget).store('trackRollups', { position: BigInt(cp + 1) });
  expect((await reconcileDay(mongo.db, store, day, { repair: false })).drift).toEqual([]);
  await checkpointStore(mongo.db, budget).store('trackRollups', { position: BigInt(cp) });
}, 60_000);

it('reconciliation finds no drift where compaction has folded past the checkpoint it read', async () => {
  const checkpoints = checkpointStore(mongo.db, budget);
  const counters = await checkpoints.load('trackCounters');
  // Past the corrections above (checkpoint + 0.5), then folded: a healthy model.
  const upTo = (await checkpoints.load('trackRollups')).position + 1n;
  await checkpoints.store('trackRollups', { position: upTo });
  await compactRollups(mongo.db, budget);
  await compactCounters(mongo.db, budget);
  expect((await reconcileDay(mongo.db, store, day, { repair: false })).drift).toEqual([]);
  // Under live load a compaction runs between reconcileDay's reading of the checkpoints and of
  // the documents: the checkpoints it read are behind what the documents hold.
  await checkpoints.store('trackRollups', { position: 1n });
  await checkpoints.store('trackCounters', { position: 1n });
  try {
    expect((await reconcileDay(mongo.db, store, day, { repair: false })).drift).toEqual([]);
  } finally {
    await checkpoints.store('trackRollups', { position: upTo });
    await checkpoints.store('trackCounters', counters);
  }
}, 60_000);

it('retention sets maxAge on every track stream once', async () => {
  const first = await applyRetention(mongo.db, store, 30);
  expect(first.streams).toBe(8);
  expect(first.updated).toBe(8);
  expect((await applyRetention(mongo.db, store, 30)).updated).toBe(0);
});
