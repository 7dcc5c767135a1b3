import {
  ANY,
  BACKWARDS,
  END,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { EventStoreDBClient, ResolvedEvent } from '@eventstore/db-client';
import { startTempServer } from './testing/tempServer';
import type { TempServer } from './testing/tempServer';

const ev = (type: string, data: Record<string, unknown> = {}) => jsonEvent({ type, data });

async function collect(it: AsyncIterable<ResolvedEvent>): Promise<ResolvedEvent[]> {
  const out: ResolvedEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

/** $all without system events (a fresh log starts with `$epoch-information`). */
async function readAllUserEvents(client: EventStoreDBClient): Promise<ResolvedEvent[]> {
  return (await collect(client.readAll())).filter((e) => !e.event!.streamId.startsWith('$'));
}

async function readAllTrackEvents(client: EventStoreDBClient): Promise<string[]> {
  const all = await collect(client.readAll({ fromPosition: START, direction: FORWARDS }));
  return all
    .filter((e) => e.event!.streamId.startsWith('track-'))
    .map((e) => `${e.event!.streamId}@${e.event!.revision}`);
}

describe('embedded event store through the official client', () => {
  let t: TempServer;
  beforeEach(async () => {
    t = await startTempServer();
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('appends with any / no_stream / exact revision and reports the actual revision on conflict', async () => {
    const { client } = t;
    const first = await client.appendToStream(
      'track-a',
      [ev('TrackPlayed', { n: 1 }), ev('TrackPlayed', { n: 2 })],
      {
        expectedRevision: NO_STREAM,
      },
    );
    expect(first.nextExpectedRevision).toBe(1n);
    expect(first.position!.commit).toBeGreaterThan(0n);
    const second = await client.appendToStream('track-a', ev('TrackLiked'), {
      expectedRevision: 1n,
    });
    expect(second.nextExpectedRevision).toBe(2n);
    const third = await client.appendToStream('track-a', ev('TrackSaved'), {
      expectedRevision: ANY,
    });
    expect(third.nextExpectedRevision).toBe(3n);
    expect(third.position!.commit).toBeGreaterThan(second.position!.commit);

    const stale = client.appendToStream('track-a', ev('TrackPlayed'), { expectedRevision: 1n });
    await expect(stale).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(stale).rejects.toMatchObject({
      actualVersion: 3n,
      expectedVersion: 1n,
      streamName: 'track-a',
    });
    await expect(
      client.appendToStream('track-a', ev('X'), { expectedRevision: NO_STREAM }),
    ).rejects.toMatchObject({
      type: 'wrong-expected-version',
      actualVersion: 3n,
      expectedVersion: 'no_stream',
    });
    await expect(
      client.appendToStream('track-new', ev('X'), { expectedRevision: 0n }),
    ).rejects.toMatchObject({
      actualVersion: 'no_stream',
    });
  });

  it('answers the plain Append call (used when credentials are given) like BatchAppend', async () => {
    const { client } = t;
    const credentials = { username: 'admin', password: 'changeit' };
    const e1 = ev('A');
    const r = await client.appendToStream('plain', [e1, ev('B')], {
      expectedRevision: NO_STREAM,
      credentials,
    });
    expect(r.nextExpectedRevision).toBe(1n);
    const retry = await client.appendToStream('plain', [e1], {
      expectedRevision: NO_STREAM,
      credentials,
    });
    expect(retry.nextExpectedRevision).toBe(0n);
    await expect(
      client.appendToStream('plain', ev('C'), { expectedRevision: 5n, credentials }),
    ).rejects.toMatchObject({
      type: 'wrong-expected-version',
      actualVersion: 1n,
      expectedVersion: 5n,
    });
    await expect(
      client.appendToStream(
        'plain',
        jsonEvent({ type: 'Big', data: { pad: 'x'.repeat(1_100_000) } }),
        { credentials },
      ),
    ).rejects.toMatchObject({ type: 'maximum-append-size-exceeded', maxAppendSize: 1024 * 1024 });
    await client.tombstoneStream('plain');
    await expect(client.appendToStream('plain', ev('D'), { credentials })).rejects.toMatchObject({
      type: 'stream-deleted',
      streamName: 'plain',
    });
    expect((await readAllUserEvents(client)).map((e) => e.event!.type)).toEqual([
      'A',
      'B',
      '$streamDeleted',
    ]);
  });

  it('reads a stream forwards and backwards from start, end and a revision, with maxCount', async () => {
    const { client } = t;
    await client.appendToStream(
      'track-r',
      Array.from({ length: 10 }, (_, i) => ev('TrackPlayed', { i })),
    );
    const all = await collect(client.readStream('track-r'));
    expect(all.map((e) => e.event!.data)).toEqual(Array.from({ length: 10 }, (_, i) => ({ i })));
    expect(all.map((e) => e.event!.revision)).toEqual(
      Array.from({ length: 10 }, (_, i) => BigInt(i)),
    );
    const e0 = all[0]!.event!;
    expect(e0.isJson).toBe(true);
    expect(e0.type).toBe('TrackPlayed');
    expect(Math.abs(e0.created.getTime() - Date.now())).toBeLessThan(60_000);
    expect(e0.position!.commit).toBeGreaterThan(0n);

    const fromRev = await collect(client.readStream('track-r', { fromRevision: 4n, maxCount: 3 }));
    expect(fromRev.map((e) => e.event!.revision)).toEqual([4n, 5n, 6n]);
    const back = await collect(
      client.readStream('track-r', { fromRevision: END, direction: BACKWARDS, maxCount: 2 }),
    );
    expect(back.map((e) => e.event!.revision)).toEqual([9n, 8n]);
    const backFrom = await collect(
      client.readStream('track-r', { fromRevision: 2n, direction: BACKWARDS }),
    );
    expect(backFrom.map((e) => e.event!.revision)).toEqual([2n, 1n, 0n]);
    const past = await collect(client.readStream('track-r', { fromRevision: 10n }));
    expect(past).toEqual([]);
  });

  it('reports a missing stream as StreamNotFoundError', async () => {
    await expect(collect(t.client.readStream('track-missing'))).rejects.toBeInstanceOf(
      StreamNotFoundError,
    );
  });

  it('reads $all forwards in append order, never with an event at position 0', async () => {
    const { client } = t;
    await client.appendToStream('track-1', [ev('A'), ev('B')]);
    await client.appendToStream('other-1', ev('C'));
    await client.appendToStream('track-2', ev('D'));
    const all = await readAllUserEvents(client);
    expect(all.map((e) => e.event!.type)).toEqual(['A', 'B', 'C', 'D']);
    const positions = (await collect(client.readAll())).map((e) => e.event!.position!.commit);
    expect(positions[0]).toBeGreaterThan(0n);
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    const fromSecond = await collect(
      client.readAll({ fromPosition: all[1]!.event!.position!, maxCount: 2 }),
    );
    expect(fromSecond.map((e) => e.event!.type)).toEqual(['B', 'C']);
  });

  it('catches up a filtered $all subscription and switches to live without gaps or duplicates', async () => {
    const { client } = t;
    for (let i = 0; i < 20; i++) {
      await client.appendToStream(`track-${i % 5}`, [
        ev('TrackPlayed', { i }),
        ev('TrackLiked', { i }),
      ]);
      await client.appendToStream(`user-${i}`, ev('Other'));
    }
    const sub = client.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({ prefixes: ['track-'] }),
    });
    const seen: string[] = [];
    let caughtUp = false;
    sub.on('caughtUp', () => {
      caughtUp = true;
    });
    const writers = (async () => {
      for (let i = 0; i < 20; i++) {
        await Promise.all([
          client.appendToStream(`track-${i % 3}`, ev('TrackPlayed', { live: i })),
          client.appendToStream(`skip-${i}`, ev('Other')),
          client.appendToStream(`track-x${i}`, [ev('TrackPlayed'), ev('TrackPlayed')]),
        ]);
      }
    })();
    for await (const e of sub) {
      seen.push(`${e.event!.streamId}@${e.event!.revision}`);
      if (seen.length === 40 + 60) break;
    }
    await writers;
    await sub.unsubscribe();
    expect(caughtUp).toBe(true);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(await readAllTrackEvents(client));
  });

  it('subscribes from a position exclusively', async () => {
    const { client } = t;
    await client.appendToStream('track-p', [ev('A'), ev('B'), ev('C')]);
    const all = await readAllUserEvents(client);
    const sub = client.subscribeToAll({ fromPosition: all[0]!.event!.position! });
    const types: string[] = [];
    for await (const e of sub) {
      types.push(e.event!.type);
      if (types.length === 2) break;
    }
    expect(types).toEqual(['B', 'C']);
  });

  it('starts a fresh log with one $epoch-information event, as a fresh node; restarts add none', async () => {
    const first = await collect(t.client.readAll());
    expect(first.map((e) => `${e.event!.streamId}:${e.event!.type}`)).toEqual([
      '$epoch-information:$epoch-information',
    ]);
    expect(first[0]!.event!.data).toMatchObject({ epochNumber: 0, prevEpochPosition: -1 });
    await t.stop();
    const again = await startTempServer(t.dir);
    try {
      expect(await collect(again.client.readAll())).toHaveLength(1);
    } finally {
      await again.dispose();
    }
  });

  it('keeps every event, revision and position across a restart', async () => {
    const { client } = t;
    await client.appendToStream('track-k', [ev('A', { a: 1 }), ev('B', { b: 2 })]);
    await client.appendToStream('other-k', ev('C'));
    const before = await collect(client.readAll());
    await t.stop();
    const again = await startTempServer(t.dir);
    try {
      const after = await collect(again.client.readAll());
      expect(
        after.map((e) => [
          e.event!.id,
          e.event!.streamId,
          e.event!.revision,
          e.event!.position,
          e.event!.data,
        ]),
      ).toEqual(
        before.map((e) => [
          e.event!.id,
          e.event!.streamId,
          e.event!.revision,
          e.event!.position,
          e.event!.data,
        ]),
      );
      const next = await again.client.appendToStream('track-k', ev('D'), { expectedRevision: 1n });
      expect(next.nextExpectedRevision).toBe(2n);
      // the recent-id cache survives the restart: a retry with `any` is still idempotent
      const c = before.find((e) => e.event!.streamId === 'other-k')!;
      const retried = jsonEvent({ id: c.event!.id, type: 'C', data: {} });
      const r = await again.client.appendToStream('other-k', retried, { expectedRevision: ANY });
      expect(r.nextExpectedRevision).toBe(0n);
      expect((await collect(again.client.readStream('other-k'))).length).toBe(1);
      expect(next.position!.commit).toBeGreaterThan(c.event!.position!.commit);
    } finally {
      await again.dispose();
    }
  });
});
