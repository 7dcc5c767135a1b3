import {
  foldCounters,
  trackCounters,
  type TrackCountersDoc,
} from '../../projections/trackCounters';
import { testDatabase, testWriteBudget } from '../../test/mongo';
import { syntheticStore, type SyntheticStore } from './testing/syntheticStore';
import type { EventStore } from '../eventstore/eventStore';
import { createLogger } from '../logger';
import { checkpointStore } from '../readModels/checkpointStore';
import { startProjector, type RunningProjector } from './projector';

/**
 * Two instances of one projector writing one checkpoint at once: what happens when a lease
 * holder has not yet noticed that its lease expired and another instance took over. Each cuts
 * its own batches (different sizes); the checkpoint's compare-and-set lets only one of them
 * write a batch from a given place, so every event is counted once.
 */
const mongo = testDatabase('fencing');
let es: SyntheticStore;
let store: EventStore;
const EVENTS = 3000;

beforeAll(async () => {
  es = await syntheticStore('fencing', {
    events: EVENTS,
    tracks: 20,
    artists: 4,
    listeners: 300,
    from: new Date('2026-02-01T00:00:00Z'),
    to: new Date('2026-02-20T00:00:00Z'),
    seed: 5,
  });
  store = es.store;
}, 60_000);

afterAll(async () => {
  await es?.close();
});

const start = (batchSize: number) =>
  startProjector({
    store,
    db: mongo.db,
    checkpoints: checkpointStore(mongo.db, testWriteBudget()),
    projection: trackCounters,
    logger: createLogger('silent'),
    batchSize,
    batchDelayMs: 5,
    bulkChunkSize: 99,
    writeBudget: testWriteBudget(),
  });

async function logCounts() {
  let plays = 0;
  let likes = 0;
  for await (const e of store.subscribeToAll({ streamPrefixes: ['track-'] })) {
    if (e.type === 'TrackPlayed') plays++;
    if (e.type === 'TrackLiked') likes++;
    if (e.type === 'TrackUnliked') likes--; // likeCount is net
    if (e.position.commit >= head) break;
  }
  return { plays, likes };
}
let head = 0n;

describe('two instances of one projector on one checkpoint', () => {
  it('count every event once: only one writes a batch from a given place', async () => {
    head = (await store.headPosition(['track-']))!.commit;
    const a = await start(97);
    const b = await start(61);
    const done = async (p: RunningProjector) => {
      while (!p.superseded() && p.status().checkpoint < head && !p.status().failed)
        await new Promise((r) => setTimeout(r, 20));
    };
    await Promise.all([done(a), done(b)]);
    await Promise.all([a.stop(), b.stop()]);
    expect(a.status().failed || b.status().failed).toBe(false);
    const cp = await checkpointStore(mongo.db).load(trackCounters.name);
    expect(cp.position).toBe(head);

    const docs = await mongo.db.collection<TrackCountersDoc>('track_counters').find({}).toArray();
    const counts = [...foldCounters(docs, Number(cp.position)).values()];
    const sum = (f: 'playCount' | 'likeCount') => counts.reduce((n, c) => n + (c[f] ?? 0), 0);
    const log = await logCounts();
    expect({ plays: sum('playCount'), likes: sum('likeCount') }).toEqual(log);
    // One of them noticed the other and stopped writing.
    expect(a.superseded() || b.superseded()).toBe(true);
  }, 60_000);
});
