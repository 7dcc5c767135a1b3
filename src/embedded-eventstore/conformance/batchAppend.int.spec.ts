import { randomUUID } from 'node:crypto';
import {
  binaryEvent,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  StreamNotFoundError,
} from '@eventstore/db-client';
import { Code } from '@eventstore/db-client/generated/code_pb';
import { errorType, RawBatchAppend } from './rawBatchAppend';
import { collect, connectTarget, ev } from './target';
import type { Target } from './target';

/** The real server's default maximum append size. */
const MAX_APPEND = 1024 * 1024;

describe('conformance: BatchAppend deadlines, size limit and errors', () => {
  let t: Target;
  let raw: RawBatchAppend;
  beforeAll(async () => {
    t = await connectTarget();
    raw = new RawBatchAppend(t.address);
  });
  afterAll(async () => {
    raw.close();
    await t.close();
  });

  const notFound = (stream: string) =>
    expect(collect(t.client.readStream(stream))).rejects.toBeInstanceOf(StreamNotFoundError);

  describe('deadline', () => {
    it('answers Timeout at once when the deadline has already passed, storing nothing', async () => {
      const s = t.stream('late');
      const err = await t.client.appendToStream(s, ev('A'), { deadline: 0 }).catch((e) => e);
      expect(err).toBeInstanceOf(DeadlineExceededError);
      await notFound(s);
    });

    it('answers Timeout when the append is not complete in time, and ignores its rest', async () => {
      const s = t.stream('slow');
      const id = randomUUID();
      const started = Date.now();
      raw.send(id, { stream: s, deadline: new Date(started + 300), events: [10], isFinal: false });
      const answer = await raw.next(5000);
      expect(errorType(answer)).toBe('event_store.client.Timeout');
      expect(answer!.getError()!.getCode()).toBe(Code.DEADLINE_EXCEEDED);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      raw.send(id, { events: [10], isFinal: true });
      expect(await raw.next(300)).toBeNull();
      await notFound(s);
    });

    it('caps any deadline at the server write timeout (2 s by default)', async () => {
      const s = t.stream('capped');
      const started = Date.now();
      raw.send(randomUUID(), { stream: s, events: [10], isFinal: false });
      const answer = await raw.next(6000);
      expect(errorType(answer)).toBe('event_store.client.Timeout');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      await notFound(s);
    });

    it('leaves a timely append alone', async () => {
      const s = t.stream('timely');
      await t.client.appendToStream(s, ev('A'), { deadline: 5000 });
      expect(await collect(t.client.readStream(s))).toHaveLength(1);
    });
  });

  describe('maximum append size', () => {
    // data + metadata + 2 bytes per character of the type, as EventStoreDB stores it
    const typeName = 'SizedEvent';
    const event = (dataBytes: number) =>
      binaryEvent({ type: typeName, data: Buffer.alloc(dataBytes, 7) });

    it('counts the event type: exactly the limit passes, one byte more fails', async () => {
      const fits = MAX_APPEND - 2 * typeName.length;
      const s = t.stream('size');
      await t.client.appendToStream(s, event(fits));
      const err = await t.client.appendToStream(s, event(fits + 1)).catch((e) => e);
      expect(err).toBeInstanceOf(MaxAppendSizeExceededError);
      expect(err).toMatchObject({ maxAppendSize: MAX_APPEND });
      expect(await collect(t.client.readStream(s))).toHaveLength(1);
    });

    it('answers as soon as a message crosses the limit, before the append is complete', async () => {
      const s = t.stream('size-early');
      const id = randomUUID();
      raw.send(id, { stream: s, events: [MAX_APPEND / 2, MAX_APPEND / 2], isFinal: false });
      const answer = await raw.next(5000);
      expect(errorType(answer)).toBe('event_store.client.MaximumAppendSizeExceeded');
      expect(answer!.getError()!.getCode()).toBe(Code.INVALID_ARGUMENT);
      raw.send(id, { events: [10], isFinal: true });
      expect(await raw.next(300)).toBeNull();
      await notFound(s);
    });
  });

  it('answers an append to a tombstoned stream StreamDeleted with NOT_FOUND', async () => {
    const s = t.stream('tombstoned');
    await t.client.appendToStream(s, ev('A'));
    await t.client.tombstoneStream(s);
    await expect(t.client.appendToStream(s, ev('B'))).rejects.toBeInstanceOf(StreamDeletedError);
    raw.send(randomUUID(), { stream: s, events: [10], isFinal: true });
    const answer = await raw.next(5000);
    expect(errorType(answer)).toBe('event_store.client.StreamDeleted');
    expect(answer!.getError()!.getCode()).toBe(Code.NOT_FOUND);
  });
});
