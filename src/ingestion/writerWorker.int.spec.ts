import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedEventStore } from '../embedded-eventstore/server';
import { UnavailableError } from '../errors';
import { connectEventStore } from '../eventstore/esdbEventStore';
import { ThreadedTrackWriter } from './writerWorker';

const fact = (id = randomUUID()) => ({ id, type: 'TrackLiked', data: { n: 1 } });

describe('ThreadedTrackWriter', () => {
  it('dedups on its thread, reports appends, and fails with 503 once closed', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'writer-thread-'));
    const server = await startEmbeddedEventStore({ dataDir, port: 0 });
    const appends: number[] = [];
    const writer = new ThreadedTrackWriter({
      url: server.connectionString,
      windowMs: 3_600_000,
      maxCachedIds: 10_000,
      onAppend: (events) => appends.push(events),
    });
    try {
      const a = fact();
      const b = fact();
      // Issued in one tick: one message to the thread; writes to one stream are queued in order.
      const [first, second, other] = await Promise.all([
        writer.write('track-w1', [a, b]),
        writer.write('track-w1', [fact(), a]),
        writer.write('track-w2', [fact()]),
      ]);
      expect(first).toEqual(['accepted', 'accepted']);
      expect(second).toEqual(['accepted', 'duplicate']);
      expect(other).toEqual(['accepted']);
      expect(await writer.write('track-w1', [b])).toEqual(['duplicate']);
      expect(appends.sort()).toEqual([1, 1, 2]); // the duplicate `a` never reached the store
      expect(writer.size.ids).toBe(4);

      const store = connectEventStore(server.connectionString);
      const ids: string[] = [];
      for await (const e of store.readStream('track-w1'))
        if (!e.type.startsWith('$')) ids.push(e.id);
      await store.close();
      expect(ids).toHaveLength(3);
    } finally {
      await writer.close();
      await server.close();
    }
    await expect(writer.write('track-w1', [fact()])).rejects.toBeInstanceOf(UnavailableError);
  });

  it('a thread that dies fails its writes with 503; a new one takes over and still dedups', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'writer-thread-'));
    const server = await startEmbeddedEventStore({ dataDir, port: 0 });
    const writer = new ThreadedTrackWriter({
      url: server.connectionString,
      windowMs: 3_600_000,
      maxCachedIds: 10_000,
      minLifeMs: 0,
    });
    try {
      const a = fact();
      expect(await writer.write('track-d1', [a])).toEqual(['accepted']);
      const thread = (writer as unknown as { worker: { terminate(): Promise<number> } }).worker;
      const inFlight = writer.write('track-d1', [fact()]);
      await thread.terminate();
      await expect(inFlight).rejects.toBeInstanceOf(UnavailableError);
      // The new thread reads the stream back: the first event is still known.
      expect(await writer.write('track-d1', [a, fact()])).toEqual(['duplicate', 'accepted']);
    } finally {
      await writer.close();
      await server.close();
    }
  });
});
