import {
  ANY,
  NO_STREAM,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { collect, connectTarget, ev, revisions, types } from './target';
import type { Target } from './target';

describe('conformance: delete, tombstone and stream metadata', () => {
  let t: Target;
  beforeAll(async () => {
    t = await connectTarget();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('soft delete', () => {
    it('hides the stream until the next append, which continues the revisions', async () => {
      const s = t.stream('soft');
      const w = await t.client.appendToStream(s, [ev('A'), ev('B')], {
        expectedRevision: NO_STREAM,
      });
      const del = await t.client.deleteStream(s, { expectedRevision: 1n });
      expect(del.position!.commit).toBeGreaterThan(w.position!.commit);
      await expect(collect(t.client.readStream(s))).rejects.toBeInstanceOf(StreamNotFoundError);
      const r = await t.client.appendToStream(s, [ev('C'), ev('D'), ev('E')], {
        expectedRevision: NO_STREAM,
      });
      expect(r.nextExpectedRevision).toBe(4n);
      const events = await collect(t.client.readStream(s));
      expect(types(events)).toEqual(['C', 'D', 'E']);
      expect(revisions(events)).toEqual([2n, 3n, 4n]);
      const meta = await t.client.getStreamMetadata(s);
      expect(meta.metadata?.truncateBefore).toBe(2);
      // recreated: no_stream no longer holds
      await expect(
        t.client.appendToStream(s, ev('F'), { expectedRevision: NO_STREAM }),
      ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    });

    it('accepts any / no_stream on a missing stream and checks an exact revision', async () => {
      await t.client.deleteStream(t.stream('soft-missing-any'), { expectedRevision: ANY });
      await t.client.deleteStream(t.stream('soft-missing-none'), { expectedRevision: NO_STREAM });
      await expect(
        t.client.deleteStream(t.stream('soft-missing-exact'), { expectedRevision: 0n }),
      ).rejects.toBeInstanceOf(WrongExpectedVersionError);
      const s = t.stream('soft-wrong');
      await t.client.appendToStream(s, [ev('A'), ev('B')]);
      await expect(t.client.deleteStream(s, { expectedRevision: 0n })).rejects.toMatchObject({
        type: 'wrong-expected-version',
        actualVersion: 1n,
      });
    });

    it('keeps old events hidden when metadata is set on the deleted stream', async () => {
      const s = t.stream('soft-meta');
      await t.client.appendToStream(s, [ev('A'), ev('B')]);
      await t.client.deleteStream(s);
      await t.client.setStreamMetadata(s, { maxCount: 100 }, { expectedRevision: 0n });
      expect(await collect(t.client.readStream(s))).toEqual([]);
      const meta = await t.client.getStreamMetadata(s);
      expect(meta.metadata).toMatchObject({ maxCount: 100, truncateBefore: 2 });
    });
  });

  describe('tombstone', () => {
    it('deletes for good: reads, appends, deletes and metadata reads fail with StreamDeletedError', async () => {
      const s = t.stream('hard');
      const w = await t.client.appendToStream(s, [ev('A'), ev('B')]);
      const res = await t.client.tombstoneStream(s, { expectedRevision: 1n });
      expect(res.position!.commit).toBeGreaterThan(w.position!.commit);
      const readErr = await collect(t.client.readStream(s)).catch((e: unknown) => e);
      expect(readErr).toBeInstanceOf(StreamDeletedError);
      expect(readErr).toMatchObject({ streamName: s });
      await expect(t.client.appendToStream(s, ev('C'))).rejects.toMatchObject({
        type: 'stream-deleted',
        streamName: s,
      });
      await expect(t.client.deleteStream(s)).rejects.toBeInstanceOf(StreamDeletedError);
      await expect(t.client.tombstoneStream(s)).rejects.toBeInstanceOf(StreamDeletedError);
      await expect(t.client.getStreamMetadata(s)).rejects.toBeInstanceOf(StreamDeletedError);
    });

    it('works on a missing stream with any / no_stream, and checks an exact revision', async () => {
      await t.client.tombstoneStream(t.stream('hard-missing-any'), { expectedRevision: ANY });
      await t.client.tombstoneStream(t.stream('hard-missing-none'), {
        expectedRevision: NO_STREAM,
      });
      await expect(
        t.client.tombstoneStream(t.stream('hard-missing-exact'), { expectedRevision: 0n }),
      ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    });
  });

  describe('metadata honoured on read', () => {
    it('maxCount keeps only the newest events', async () => {
      const s = t.stream('maxcount');
      await t.client.appendToStream(
        s,
        Array.from({ length: 6 }, (_, i) => ev(`E${i}`)),
      );
      await t.client.setStreamMetadata(s, { maxCount: 2 });
      expect(revisions(await collect(t.client.readStream(s)))).toEqual([4n, 5n]);
      await t.client.appendToStream(s, ev('E6'));
      expect(revisions(await collect(t.client.readStream(s)))).toEqual([5n, 6n]);
    });

    it('truncateBefore hides earlier revisions', async () => {
      const s = t.stream('tb');
      await t.client.appendToStream(
        s,
        Array.from({ length: 5 }, (_, i) => ev(`E${i}`)),
      );
      await t.client.setStreamMetadata(s, { truncateBefore: 3 });
      expect(revisions(await collect(t.client.readStream(s)))).toEqual([3n, 4n]);
      const meta = await t.client.getStreamMetadata(s);
      expect(meta.metadata).toMatchObject({ truncateBefore: 3 });
    });

    it('maxAge hides events older than it', async () => {
      const s = t.stream('maxage');
      await t.client.appendToStream(s, [ev('Old')]);
      await t.client.setStreamMetadata(s, { maxAge: 1 });
      await new Promise((r) => setTimeout(r, 2100));
      await t.client.appendToStream(s, [ev('New')]);
      expect(types(await collect(t.client.readStream(s)))).toEqual(['New']);
    });
  });
});
