import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectEventStore } from '../../eventstore/esdbEventStore';
import { startEmbeddedEventStore } from '../server';
import { SNAPSHOT_FILE } from '../store/indexSnapshot';
import { backupEventStore } from './backupLog';
import { restoreEventStore } from './restoreLog';

const SEGMENT = 1024 * 1024;

async function fill(dataDir: string, events: number) {
  const server = await startEmbeddedEventStore({ dataDir, port: 0, segmentSize: SEGMENT });
  const store = connectEventStore(server.connectionString);
  const ids: string[] = [];
  try {
    for (let i = 0; i < events; i += 50) {
      const batch = Array.from({ length: 50 }, () => {
        const id = randomUUID();
        ids.push(id);
        return { id, type: 'TrackPlayed', data: { pad: 'x'.repeat(400) } };
      });
      await store.append(`track-b${i % 7}`, batch);
    }
    const head = (await store.headPosition(['']))!.commit;
    return { ids, head };
  } finally {
    await store.close();
    await server.close();
  }
}

async function readAllIds(dataDir: string): Promise<string[]> {
  const server = await startEmbeddedEventStore({ dataDir, port: 0, segmentSize: SEGMENT });
  const store = connectEventStore(server.connectionString);
  const ids: string[] = [];
  try {
    for (let t = 0; t < 7; t++)
      for await (const e of store.readStream(`track-b${t}`)) ids.push(e.id);
  } finally {
    await store.close();
    await server.close();
  }
  return ids;
}

describe('backupEventStore', () => {
  let work: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'es-backup-'));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  it('copies several segments and cuts an append caught half-way, as recovery would', async () => {
    const source = path.join(work, 'source');
    const { ids, head } = await fill(source, 3000); // ~1.5 MB: two segments
    const chunks = fs.readdirSync(source).filter((f) => f.startsWith('chunk-'));
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    // An append in flight: the frame header of a record whose bytes are not all there yet.
    const last = path.join(source, chunks.sort().at(-1)!);
    const sizeBefore = fs.statSync(last).size;
    fs.appendFileSync(last, Buffer.from([0x40, 0x01, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]));

    const target = path.join(work, 'backup');
    const manifest = backupEventStore({
      sourceDir: source,
      targetDir: target,
      segmentSize: SEGMENT,
      headAtStart: head,
    });
    // The 3,000 appended, plus the `$epoch-information` a fresh log starts with.
    expect(manifest.events).toBe(3001);
    expect(manifest.logEnd % SEGMENT).toBe(sizeBefore);
    expect(manifest.files.map((f) => f.name)).toEqual(expect.arrayContaining(chunks));

    const restored = path.join(work, 'data', 'eventstore');
    restoreEventStore(target, restored, 'now');
    const back = await readAllIds(restored);
    expect(back.sort()).toEqual([...ids].sort());
  });

  it('refuses a copy that ends before the acknowledged head', async () => {
    const source = path.join(work, 'source');
    const { head } = await fill(source, 100);
    expect(() =>
      backupEventStore({
        sourceDir: source,
        targetDir: path.join(work, 'b'),
        segmentSize: SEGMENT,
        headAtStart: head + 10_000_000n,
      }),
    ).toThrow(/before the acknowledged head/);
  });

  it('drops an index snapshot that describes more log than was copied', async () => {
    const source = path.join(work, 'source');
    await fill(source, 100);
    expect(fs.existsSync(path.join(source, SNAPSHOT_FILE))).toBe(true);
    // The log cut short after the snapshot was written (as if copied before the last appends).
    const chunk = path.join(source, 'chunk-000000.log');
    fs.truncateSync(chunk, 2000);
    const manifest = backupEventStore({
      sourceDir: source,
      targetDir: path.join(work, 'b'),
      segmentSize: SEGMENT,
    });
    expect(manifest.files.map((f) => f.name)).toEqual(['chunk-000000.log']);
    expect(manifest.logEnd).toBeLessThanOrEqual(2000);
  });
});
