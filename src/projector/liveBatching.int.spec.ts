import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { trackCounters } from '../../projections/trackCounters';
import { testDatabase, testWriteBudget } from '../../test/mongo';
import { startEmbeddedEventStore, type EmbeddedEventStore } from '../embedded-eventstore/server';
import { connectEventStore } from '../eventstore/esdbEventStore';
import type { EventStore } from '../eventstore/eventStore';
import { createLogger } from '../logger';
import { checkpointStore } from '../readModels/checkpointStore';
import { startProjector } from './projector';
import { syntheticLog, type SyntheticEvent } from './testing/syntheticLog';

/**
 * Live batching: a lone event is written once the log is quiet; under a steady trickle (never
 * quiet) batches still go out, each gathering up to the maximum delay.
 */
const mongo = testDatabase('live_batching');
let dir: string;
let server: EmbeddedEventStore;
let store: EventStore;
const events: SyntheticEvent[] = [
  ...syntheticLog({
    events: 200,
    tracks: 5,
    artists: 1,
    listeners: 20,
    from: new Date('2026-01-01T00:00:00Z'),
    to: new Date('2026-01-02T00:00:00Z'),
  }),
].filter((e) => e.event.type === 'TrackPlayed');
let next = 0;
const appendOne = async () => {
  const { stream, event } = events[next++]!;
  const outcome = await store.append(stream, [event], 'any');
  if (!outcome.ok) throw new Error(outcome.reason);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (what: string, done: () => boolean, ms = 20_000) => {
  for (const deadline = Date.now() + ms; !done(); await sleep(5))
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'live-batching-'));
  server = await startEmbeddedEventStore({ dataDir: dir, port: 0 });
  store = connectEventStore(server.connectionString);
}, 60_000);

afterAll(async () => {
  await store?.close();
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('writes a lone event once the log is quiet, and batches a steady trickle by the maximum delay', async () => {
  let stop = false;
  const budget = testWriteBudget();
  const projector = await startProjector({
    store,
    db: mongo.db,
    checkpoints: checkpointStore(mongo.db, budget),
    projection: trackCounters,
    logger: createLogger('silent'),
    batchSize: 5000,
    batchDelayMs: 500,
    batchMaxDelayMs: 1500,
    bulkChunkSize: 99,
    writeBudget: budget,
  });
  try {
    await until('catch-up', () => projector.status().caughtUp);
    await appendOne();
    await until('the first event', () => projector.status().eventsApplied === 1);
    // Batches are seen as steps of eventsApplied.
    const steps: number[] = [];
    const watching = (async () => {
      for (let last = 1; !stop; await sleep(5)) {
        const applied = projector.status().eventsApplied;
        if (applied !== last) steps.push((last = applied));
      }
    })();
    await appendOne();
    await until('the lone event', () => steps.length > 0);
    expect(steps).toEqual([2]);

    // An event every 50 ms for 4.5 s: never quiet for 500 ms.
    const started = Date.now();
    while (Date.now() - started < 4500) {
      await appendOne();
      await sleep(50);
    }
    const duringTrickle = steps.length - 1;
    await projector.drain();
    stop = true;
    await watching;
    // Cut by the 1.5 s maximum: about 3 batches (a quiet-only rule would write none until the
    // trickle stops; a cut every 500 ms would write about 9).
    expect(duringTrickle).toBeGreaterThanOrEqual(2);
    expect(duringTrickle).toBeLessThanOrEqual(5);
    expect(projector.status().eventsApplied).toBe(next);
  } finally {
    stop = true;
    await projector.stop();
  }
}, 60_000);
