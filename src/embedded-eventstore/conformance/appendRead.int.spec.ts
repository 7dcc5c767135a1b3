import { randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  binaryEvent,
  END,
  FORWARDS,
  jsonEvent,
  MaxAppendSizeExceededError,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { collect, connectTarget, ev, revisions, types } from './target';
import type { Target } from './target';

describe('conformance: append and read', () => {
  let t: Target;
  beforeAll(async () => {
    t = await connectTarget();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('expected revision', () => {
    it('no_stream succeeds once, then reports the actual revision', async () => {
      const s = t.stream('nostream');
      const r = await t.client.appendToStream(s, ev('A'), { expectedRevision: NO_STREAM });
      expect(r.nextExpectedRevision).toBe(0n);
      const err = await t.client
        .appendToStream(s, ev('B'), { expectedRevision: NO_STREAM })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WrongExpectedVersionError);
      expect(err).toMatchObject({ streamName: s, expectedVersion: 'no_stream', actualVersion: 0n });
    });

    it('stream_exists fails on a missing stream and succeeds on an existing one', async () => {
      const s = t.stream('exists');
      await expect(
        t.client.appendToStream(s, ev('A'), { expectedRevision: STREAM_EXISTS }),
      ).rejects.toMatchObject({
        type: 'wrong-expected-version',
        expectedVersion: 'stream_exists',
        actualVersion: 'no_stream',
      });
      await t.client.appendToStream(s, ev('A'));
      const r = await t.client.appendToStream(s, ev('B'), { expectedRevision: STREAM_EXISTS });
      expect(r.nextExpectedRevision).toBe(1n);
    });

    it('an exact revision must match the last one; any always appends', async () => {
      const s = t.stream('exact');
      await t.client.appendToStream(s, [ev('A'), ev('B'), ev('C')], {
        expectedRevision: NO_STREAM,
      });
      expect(
        (await t.client.appendToStream(s, ev('D'), { expectedRevision: 2n })).nextExpectedRevision,
      ).toBe(3n);
      await expect(
        t.client.appendToStream(s, ev('E'), { expectedRevision: 2n }),
      ).rejects.toMatchObject({
        type: 'wrong-expected-version',
        expectedVersion: 2n,
        actualVersion: 3n,
      });
      await expect(
        t.client.appendToStream(t.stream('exact-missing'), ev('E'), { expectedRevision: 5n }),
      ).rejects.toMatchObject({
        actualVersion: 'no_stream',
      });
      expect(
        (await t.client.appendToStream(s, ev('E'), { expectedRevision: ANY })).nextExpectedRevision,
      ).toBe(4n);
      expect(types(await collect(t.client.readStream(s)))).toEqual(['A', 'B', 'C', 'D', 'E']);
    });
  });

  describe('idempotency', () => {
    it('a retried append of the same event ids at the same expected revision writes nothing new', async () => {
      const s = t.stream('idem-exact');
      const first = [ev('A', {}, randomUUID()), ev('B', {}, randomUUID())];
      const r1 = await t.client.appendToStream(s, first, { expectedRevision: NO_STREAM });
      const r2 = await t.client.appendToStream(s, first, { expectedRevision: NO_STREAM });
      expect(r2.nextExpectedRevision).toBe(r1.nextExpectedRevision);
      const third = [ev('C', {}, randomUUID())];
      await t.client.appendToStream(s, third, { expectedRevision: 1n });
      const r4 = await t.client.appendToStream(s, third, { expectedRevision: 1n });
      expect(r4.nextExpectedRevision).toBe(2n);
      expect(types(await collect(t.client.readStream(s)))).toEqual(['A', 'B', 'C']);
    });

    it('an immediate retry with expected revision any writes nothing new', async () => {
      const s = t.stream('idem-any');
      const events = [ev('A', {}, randomUUID()), ev('B', {}, randomUUID())];
      await t.client.appendToStream(s, events);
      const r = await t.client.appendToStream(s, events);
      expect(r.nextExpectedRevision).toBe(1n);
      expect(revisions(await collect(t.client.readStream(s)))).toEqual([0n, 1n]);
    });
  });

  it('starts $all with a system event ($ stream and type), as a fresh node does', async () => {
    const [first] = await collect(t.client.readAll({ fromPosition: START, maxCount: 1 }));
    expect(first!.event!.streamId).toMatch(/^\$/);
    expect(first!.event!.type).toMatch(/^\$/);
  });

  it('rejects an append above the maximum append size (1 MiB by default)', async () => {
    const big = jsonEvent({ type: 'Big', data: { pad: 'x'.repeat(1_100_000) } });
    const err = await t.client.appendToStream(t.stream('big'), big).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaxAppendSizeExceededError);
    await expect(collect(t.client.readStream(t.stream('big')))).rejects.toBeInstanceOf(
      StreamNotFoundError,
    );
  });

  it('keeps each stream contiguous under concurrent appends to many streams', async () => {
    const streams = Array.from({ length: 20 }, (_, i) => t.stream(`conc-${i}`));
    await Promise.all(
      streams.flatMap((s) =>
        Array.from({ length: 10 }, (_, i) =>
          t.client.appendToStream(s, [ev('A', { i }), ev('B', { i })]),
        ),
      ),
    );
    for (const s of streams) {
      expect(revisions(await collect(t.client.readStream(s)))).toEqual(
        Array.from({ length: 20 }, (_, i) => BigInt(i)),
      );
    }
  });

  it('round-trips JSON data and metadata, binary data, type and created time', async () => {
    const s = t.stream('roundtrip');
    const before = Date.now();
    await t.client.appendToStream(s, [
      jsonEvent({ type: 'Json', data: { a: [1, 'é', null] }, metadata: { correlationId: 'c-1' } }),
      binaryEvent({ type: 'Bin', data: Uint8Array.from([0, 1, 254, 255]) }),
    ]);
    const [j, b] = await collect(t.client.readStream(s));
    expect(j!.event).toMatchObject({
      type: 'Json',
      isJson: true,
      data: { a: [1, 'é', null] },
      metadata: { correlationId: 'c-1' },
    });
    expect(b!.event!.isJson).toBe(false);
    expect(Buffer.from(b!.event!.data as Uint8Array)).toEqual(Buffer.from([0, 1, 254, 255]));
    const created = j!.event!.created.getTime();
    expect(created).toBeGreaterThanOrEqual(before - 5_000);
    expect(created).toBeLessThanOrEqual(Date.now() + 5_000);
  });

  describe('reading a stream', () => {
    let s: string;
    beforeAll(async () => {
      s = t.stream('read');
      await t.client.appendToStream(
        s,
        Array.from({ length: 10 }, (_, i) => ev(`E${i}`)),
      );
    });

    it('forwards from start, from a revision, with maxCount', async () => {
      expect(revisions(await collect(t.client.readStream(s)))).toHaveLength(10);
      expect(revisions(await collect(t.client.readStream(s, { fromRevision: 7n })))).toEqual([
        7n,
        8n,
        9n,
      ]);
      expect(
        revisions(await collect(t.client.readStream(s, { fromRevision: START, maxCount: 2 }))),
      ).toEqual([0n, 1n]);
      expect(await collect(t.client.readStream(s, { fromRevision: 10n }))).toEqual([]);
    });

    it('backwards from end and from a revision', async () => {
      const back = { direction: BACKWARDS } as const;
      expect(
        revisions(
          await collect(t.client.readStream(s, { ...back, fromRevision: END, maxCount: 3 })),
        ),
      ).toEqual([9n, 8n, 7n]);
      expect(
        revisions(await collect(t.client.readStream(s, { ...back, fromRevision: 1n }))),
      ).toEqual([1n, 0n]);
      expect(
        revisions(await collect(t.client.readStream(s, { ...back, fromRevision: START }))),
      ).toEqual([0n]);
    });

    it('reports a stream that never existed as not found', async () => {
      await expect(collect(t.client.readStream(t.stream('never')))).rejects.toBeInstanceOf(
        StreamNotFoundError,
      );
      await expect(
        collect(
          t.client.readStream(t.stream('never'), { direction: BACKWARDS, fromRevision: END }),
        ),
      ).rejects.toMatchObject({
        type: 'stream-not-found',
      });
    });
  });

  describe('reading $all', () => {
    it('forwards from a position includes it; backwards from a position excludes it', async () => {
      const s = t.stream('all');
      await t.client.appendToStream(s, [ev('A'), ev('B'), ev('C'), ev('D')]);
      const mine = (await collect(t.client.readAll({ fromPosition: START }))).filter(
        (e) => e.event?.streamId === s,
      );
      expect(types(mine)).toEqual(['A', 'B', 'C', 'D']);
      const posB = mine[1]!.event!.position!;
      expect(types(await collect(t.client.readAll({ fromPosition: posB, maxCount: 2 })))).toEqual([
        'B',
        'C',
      ]);
      const back = await collect(
        t.client.readAll({ fromPosition: posB, direction: BACKWARDS, maxCount: 1 }),
      );
      expect(types(back)).toEqual(['A']);
      const fromEnd = await collect(
        t.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }),
      );
      expect(fromEnd[0]!.event!.position!.commit).toBeGreaterThanOrEqual(
        mine[3]!.event!.position!.commit,
      );
      expect(await collect(t.client.readAll({ fromPosition: END, direction: FORWARDS }))).toEqual(
        [],
      );
      const commits = mine.map((e) => e.event!.position!.commit);
      expect(commits.every((c, i) => i === 0 || c > commits[i - 1]!)).toBe(true);
      expect(commits[0]).toBeGreaterThan(0n);
    });
  });
});
