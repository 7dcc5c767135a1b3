import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedEventStore, type EmbeddedEventStore } from '../embedded-eventstore/server';
import { trackStreamPrefix } from '../events/stored';
import { connectEventStore } from '../eventstore/esdbEventStore';
import type { EventStore, LogSubscription, RecordedEvent } from '../eventstore/eventStore';
import { eventFeed } from './eventFeed';

/** The shared $all feed against the embedded event store through the official client. */
let dir: string;
let server: EmbeddedEventStore;
let store: EventStore;
let log: RecordedEvent[];
const prefixes = [trackStreamPrefix];

const append = async (n: number, tag: string) => {
  for (let i = 0; i < n; i += 10) {
    const outcome = await store.append(
      `track-${tag}${i % 7}`,
      Array.from({ length: Math.min(10, n - i) }, (_, k) => ({
        id: crypto.randomUUID(),
        type: 'Probe',
        data: { i: i + k, tag },
      })),
      'any',
    );
    if (!outcome.ok) throw new Error(outcome.reason);
  }
};
const readAll = async () => {
  const head = await store.headPosition(prefixes);
  const sub = store.subscribeToAll({ streamPrefixes: prefixes });
  const all: RecordedEvent[] = [];
  for await (const e of sub) {
    all.push(e);
    if (e.position.commit >= head!.commit) break;
  }
  await sub.close();
  return all;
};
/** Takes `n` events, optionally slowly (one macrotask per event). */
const take = async (sub: LogSubscription, n: number, slow = false) => {
  const got: RecordedEvent[] = [];
  if (n === 0) return got;
  for await (const e of sub) {
    got.push(e);
    if (slow) await new Promise((r) => setImmediate(r));
    if (got.length >= n) break;
  }
  return got;
};
const ids = (events: RecordedEvent[]) => events.map((e) => e.id);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feed-es-'));
  server = await startEmbeddedEventStore({ dataDir: dir, port: 0 });
  store = connectEventStore(server.connectionString);
  await append(300, 'a');
  await store.append('other-1', [{ id: crypto.randomUUID(), type: 'Probe', data: {} }], 'any');
  log = await readAll();
}, 60_000);

afterAll(async () => {
  await store?.close();
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('gives each consumer exactly the events after its position, also one joining behind', async () => {
  const feed = eventFeed(store, { streamPrefixes: prefixes, highWater: 16 });
  expect(log).toHaveLength(300);
  const fromStart = feed.subscribeToAll({ streamPrefixes: prefixes });
  const fromMiddle = feed.subscribeToAll({ from: log[149]!.position, streamPrefixes: prefixes });
  // The slowest consumer paces the feed (highWater): consume both.
  const [first, middleFirst] = await Promise.all([
    take(fromStart, 200, true),
    take(fromMiddle, 50),
  ]);
  // Joins behind the feed's cursor: the upstream restarts; the others see no duplicates.
  const late = feed.subscribeToAll({ from: log[49]!.position, streamPrefixes: prefixes });
  const [restStart, middle, lateGot] = await Promise.all([
    take(fromStart, 100),
    take(fromMiddle, 100),
    take(late, 250),
  ]);
  expect(ids([...first, ...restStart])).toEqual(ids(log));
  expect(ids([...middleFirst, ...middle])).toEqual(ids(log.slice(150)));
  expect(ids(lateGot)).toEqual(ids(log.slice(50)));
  await Promise.all([fromStart.caughtUp, fromMiddle.caughtUp, late.caughtUp]);
  expect(feed.consumers()).toBe(3);

  // Live events reach every consumer once, and nothing of other streams.
  await append(20, 'b');
  const live = await Promise.all([fromStart, fromMiddle, late].map((s) => take(s, 20)));
  for (const got of live)
    expect(got.map((e) => (e.data as { tag: string }).tag)).toEqual(Array(20).fill('b'));
  expect(ids(live[1]!)).toEqual(ids(live[0]!));

  await fromMiddle.close();
  expect(feed.consumers()).toBe(2);
  // A consumer joining at the head of a caught-up feed is caught up at once.
  const atHead = feed.subscribeToAll({ from: live[0]![19]!.position, streamPrefixes: prefixes });
  await atHead.caughtUp;
  // One joining at the feed's cursor while it is not caught up yet gets caught up with it.
  const feed2 = eventFeed(store, { streamPrefixes: prefixes });
  const first2 = feed2.subscribeToAll({ streamPrefixes: prefixes });
  await take(first2, 10);
  const joiner = feed2.subscribeToAll({ from: log[299]!.position, streamPrefixes: prefixes });
  await Promise.all([take(first2, 310), joiner.caughtUp, first2.caughtUp]);
  await feed2.close();
  await feed.close();
  expect(feed.consumers()).toBe(0);
  expect(await take(fromStart, 1)).toEqual([]);
}, 60_000);

it('refuses other stream prefixes', () => {
  const feed = eventFeed(store, { streamPrefixes: prefixes });
  expect(() => feed.subscribeToAll({ streamPrefixes: ['other-'] })).toThrow(/serves/);
});
