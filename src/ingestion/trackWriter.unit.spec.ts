import { randomUUID } from 'node:crypto';
import type {
  AppendOutcome,
  EventStore,
  ExpectedRevision,
  NewEvent,
  RecordedEvent,
} from '../eventstore/eventStore';
import { UnavailableError } from '../errors';
import { TrackWriter, WRITE_MARKER_TYPE } from './trackWriter';

/**
 * An in-memory log with EventStoreDB's append rules: exact expected revisions, and an append whose
 * event ids already follow the expected revision answered as an idempotent success.
 */
function memoryStore(clock: () => number) {
  const streams = new Map<string, RecordedEvent[]>();
  let position = 1n;
  let failNext = 0;
  const appends: { stream: string; count: number }[] = [];
  const store: EventStore = {
    async append(stream, events: NewEvent[], expected: ExpectedRevision = 'any') {
      await Promise.resolve();
      if (failNext > 0) {
        failNext -= 1;
        throw new UnavailableError('down');
      }
      const list = streams.get(stream) ?? [];
      const last = BigInt(list.length) - 1n;
      const want = expected === 'no_stream' ? -1n : expected;
      if (typeof want === 'bigint' && want !== last) {
        const at = Number(want) + 1;
        const same = events.every((e, i) => list[at + i]?.id === e.id);
        if (same && at + events.length <= list.length) {
          return {
            ok: true,
            nextRevision: BigInt(at + events.length - 1),
            position: undefined,
          } satisfies AppendOutcome;
        }
        return { ok: false, reason: 'WRONG_EXPECTED_REVISION', actualRevision: last };
      }
      for (const e of events) {
        list.push({
          ...e,
          stream,
          revision: BigInt(list.length),
          position: { commit: position, prepare: position },
          created: new Date(clock()),
        });
        position += 1n;
      }
      streams.set(stream, list);
      appends.push({ stream, count: events.length });
      return { ok: true, nextRevision: BigInt(list.length - 1), position: undefined };
    },
    async *readStream(stream, options = {}) {
      const list = streams.get(stream) ?? [];
      const max = options.maxCount ?? Infinity;
      let n = 0;
      if (options.backwards) {
        const from = options.fromRevision ?? BigInt(list.length - 1);
        for (let i = Math.min(Number(from), list.length - 1); i >= 0 && n < max; i--, n++) {
          yield list[i]!;
        }
      } else {
        for (let i = Number(options.fromRevision ?? 0n); i < list.length && n < max; i++, n++) {
          yield list[i]!;
        }
      }
    },
    subscribeToAll: () => {
      throw new Error('not used');
    },
    headPosition: async () => undefined,
    close: async () => undefined,
  };
  const facts = (stream: string) =>
    (streams.get(stream) ?? []).filter((e) => e.type !== WRITE_MARKER_TYPE).map((e) => e.id);
  return { store, facts, appends, failOnce: () => (failNext = 1) };
}

const ev = (id = randomUUID()): NewEvent => ({ id, type: 'TrackLiked', data: {} });

describe('TrackWriter', () => {
  let now = Date.parse('2026-03-01T12:00:00Z');
  const clock = () => now;
  const writer = (store: EventStore, windowMs = 3600_000) =>
    new TrackWriter({ store, windowMs, maxCachedIds: 10_000, clock });

  it('coalesces concurrent writes to one stream into one append, each answered', async () => {
    const mem = memoryStore(clock);
    const w = writer(mem.store);
    await w.write('track-a', [ev()]); // first sight of the stream: loads, appends
    const [x, y, z] = [ev(), ev(), ev()];
    const results = await Promise.all([
      w.write('track-a', [x]),
      w.write('track-a', [y]),
      w.write('track-a', [z]),
      w.write('track-a', [x]),
    ]);
    expect(results).toEqual([['accepted'], ['accepted'], ['accepted'], ['duplicate']]);
    // The first write goes out at once; the three that queue behind it share one append.
    expect(mem.appends.map((a) => a.count)).toEqual([2, 2, 3]);
  });

  it('splits a large write into appends of at most 500 events', async () => {
    const mem = memoryStore(clock);
    const many = Array.from({ length: 1200 }, () => ev());
    const results = await writer(mem.store).write('track-big', many);
    expect(results.every((o) => o === 'accepted')).toBe(true);
    expect(mem.appends.map((a) => a.count)).toEqual([501, 501, 201]);
    expect(mem.facts('track-big')).toHaveLength(1200);
  });

  it('two instances racing with the same events: each stored once, accepted exactly once', async () => {
    const mem = memoryStore(clock);
    const [a, b] = [writer(mem.store), writer(mem.store)];
    await a.write('track-r', [ev()]);
    await b.write('track-r', [ev()]); // a's view is now stale
    const batch = [ev(), ev(), ev()];
    const [ra, rb] = await Promise.all([a.write('track-r', batch), b.write('track-r', batch)]);
    const all = [...ra, ...rb];
    expect(all.filter((o) => o === 'accepted')).toHaveLength(3);
    expect(all.filter((o) => o === 'duplicate')).toHaveLength(3);
    expect(mem.facts('track-r')).toHaveLength(5);
  });

  it('a stale instance never gets an idempotent success for events another one stored', async () => {
    const mem = memoryStore(clock);
    const [a, b] = [writer(mem.store), writer(mem.store)];
    await a.write('track-s', [ev()]);
    await b.write('track-s', [ev()]);
    const batch = [ev()];
    expect(await b.write('track-s', batch)).toEqual(['accepted']);
    // a still believes the stream ends before b's write: without the marker the store would say OK.
    expect(await a.write('track-s', batch)).toEqual(['duplicate']);
    expect(mem.facts('track-s')).toHaveLength(3);
  });

  it('after a failed append it reads the stream again before writing', async () => {
    const mem = memoryStore(clock);
    const w = writer(mem.store);
    const batch = [ev(), ev()];
    await w.write('track-f', [ev()]);
    mem.failOnce();
    await expect(w.write('track-f', batch)).rejects.toBeInstanceOf(UnavailableError);
    expect(await w.write('track-f', batch)).toEqual(['accepted', 'accepted']);
    expect(await w.write('track-f', batch)).toEqual(['duplicate', 'duplicate']);
  });

  it('a cold instance knows the ids stored within the window, not those before it', async () => {
    const mem = memoryStore(clock);
    const old = ev();
    await writer(mem.store).write('track-w', [old]);
    now += 2 * 3600_000;
    const recent = ev();
    await writer(mem.store).write('track-w', [recent]);
    const cold = writer(mem.store);
    expect(await cold.write('track-w', [recent, old])).toEqual(['duplicate', 'accepted']);
  });
});
