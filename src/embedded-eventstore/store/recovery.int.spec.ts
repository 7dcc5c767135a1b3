import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { NewEvent } from '../log/record';
import { SegmentFiles } from '../log/segmentFiles';
import { tempDir } from '../testing/tempServer';
import { Store } from './eventStore';
import type { StoreOptions } from './eventStore';
import { SNAPSHOT_FILE } from './indexSnapshot';
import { readAllForwards, readStream } from './reader';

const newEvent = (n: number, size = 40): NewEvent => ({
  id: Buffer.from(randomUUID().replace(/-/g, ''), 'hex'),
  type: 'TrackPlayed',
  contentType: 'application/json',
  data: Buffer.from(JSON.stringify({ n, pad: 'x'.repeat(size) })),
  metadata: Buffer.alloc(0),
});

function dump(store: Store): string[] {
  return [...readAllForwards(store, 0)].map(
    (r) => `${r.stream}@${r.revision}#${r.position}:${r.data.toString()}`,
  );
}

function lastSegment(dir: string): string {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('chunk-'))
    .sort();
  return path.join(dir, files[files.length - 1]!);
}

describe('log recovery', () => {
  let dir: string;
  const opened: Store[] = [];
  const open = async (opts: Partial<StoreOptions> = {}): Promise<Store> => {
    const s = await Store.open({ dataDir: dir, ...opts });
    opened.push(s);
    return s;
  };
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('cuts a torn record at the tail and keeps every complete append', async () => {
    const a = await open();
    for (let i = 0; i < 10; i++)
      await a.append(`s-${i % 3}`, { kind: 'any' }, [newEvent(i), newEvent(i + 100)]);
    const before = dump(a);
    await a.close();
    fs.rmSync(path.join(dir, SNAPSHOT_FILE));
    const file = lastSegment(dir);
    const size = fs.statSync(file).size;
    fs.appendFileSync(file, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5, 6])); // half a frame
    const b = await open();
    expect(dump(b)).toEqual(before);
    expect(fs.statSync(file).size).toBe(size);
    const r = await b.append('s-0', { kind: 'revision', revision: 7 }, [newEvent(1)]);
    expect(r).toMatchObject({ ok: true, revision: 8, position: size });
  });

  it('drops an append whose last record never reached the disk, and records with a bad checksum', async () => {
    const a = await open();
    await a.append('s', { kind: 'no_stream' }, [newEvent(1)]);
    const keep = dump(a);
    const sizeBefore = fs.statSync(lastSegment(dir)).size;
    await a.append('s', { kind: 'any' }, [newEvent(2), newEvent(3), newEvent(4)]);
    await a.close();
    fs.rmSync(path.join(dir, SNAPSHOT_FILE));
    const file = lastSegment(dir);
    // keep the first two records of the 3-event append: the append is incomplete
    const full = fs.readFileSync(file);
    let at = sizeBefore;
    for (let i = 0; i < 2; i++) at += 8 + full.readUInt32LE(at);
    fs.truncateSync(file, at);
    const b = await open();
    expect(dump(b)).toEqual(keep);
    await b.append('s', { kind: 'revision', revision: 0 }, [newEvent(5)]);
    await b.close();
    // flip one byte inside the last record: checksum mismatch, cut again
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    fs.rmSync(path.join(dir, SNAPSHOT_FILE));
    const c = await open();
    expect(dump(c)).toEqual(keep);
  });

  it('spans several segments and restarts identically with and without the index snapshot', async () => {
    const segmentSize = 1024 * 1024;
    const a = await open({ segmentSize, snapshotEvery: 700 });
    for (let i = 0; i < 60; i++) {
      await a.append(
        `track-${i % 7}`,
        { kind: 'any' },
        Array.from({ length: 50 }, (_, j) => newEvent(i * 50 + j, 400)),
      );
    }
    const before = dump(a);
    const streamRead = readStream(a, 'track-3', {
      from: 'start',
      backwards: false,
      count: Infinity,
    });
    const stream = streamRead.kind === 'ok' ? [...streamRead.records].length : -1;
    expect(stream).toBeGreaterThan(0);
    expect(new SegmentFiles(dir, segmentSize).list().length).toBeGreaterThan(1);
    await a.close();
    const logged: object[] = [];
    const logger = {
      info: (o: object) => logged.push(o),
      warn: () => undefined,
      error: () => undefined,
    };
    const b = await open({ segmentSize, logger });
    expect(dump(b)).toEqual(before);
    // 3000 appended + the fresh log's $epoch-information event
    expect(logged[0]).toMatchObject({ events: 3001, scanned: 0 });
    const r = readStream(b, 'track-3', { from: 'start', backwards: false, count: Infinity });
    expect(r.kind === 'ok' ? [...r.records].length : -1).toBe(stream);
    await b.close();
    fs.writeFileSync(path.join(dir, SNAPSHOT_FILE), 'garbage');
    const c = await open({ segmentSize });
    expect(dump(c)).toEqual(before);
  });

  it('loads a periodic snapshot and scans only the log after it', async () => {
    const a = await open({ snapshotEvery: 100 });
    for (let i = 0; i < 30; i++)
      await a.append(
        's',
        { kind: 'any' },
        Array.from({ length: 10 }, (_, j) => newEvent(i * 10 + j)),
      );
    // let a background snapshot land (they are written after every 100 events here)
    for (let i = 0; i < 100 && !fs.existsSync(path.join(dir, SNAPSHOT_FILE)); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = dump(a);
    // no close(): as after a crash, the last snapshot is older than the log
    const logged: { scanned?: number; events?: number }[] = [];
    const b = await Store.open({
      dataDir: dir,
      logger: {
        info: (o: object) => logged.push(o),
        warn: () => undefined,
        error: () => undefined,
      },
    });
    opened.push(b);
    expect(dump(b)).toEqual(before);
    expect(logged[0]!.events).toBe(301); // + $epoch-information
    expect(logged[0]!.scanned).toBeLessThan(300);
  });
});
