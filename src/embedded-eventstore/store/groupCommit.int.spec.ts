import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { NewEvent } from '../log/record';
import { tempDir } from '../testing/tempServer';
import { Store } from './eventStore';

const newEvent = (): NewEvent => ({
  id: Buffer.from(randomUUID().replace(/-/g, ''), 'hex'),
  type: 'T',
  contentType: 'application/json',
  data: Buffer.from('{}'),
  metadata: Buffer.alloc(0),
});

describe('group commit', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = tempDir();
    store = await Store.open({ dataDir: dir });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shares one fsync among appends that arrive together, and acknowledges each after it', async () => {
    const before = store.log.flushes;
    const acks = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.append(`s-${i}`, { kind: 'no_stream' }, [newEvent()]),
      ),
    );
    expect(store.log.flushes - before).toBe(1);
    expect(acks.every((a) => a.ok)).toBe(true);
    for (const a of acks) expect(a.ok && a.position! < store.durableEnd).toBe(true);
  });

  it('batches appends that arrive while a flush is on disk into the next one', async () => {
    const before = store.log.flushes;
    const first = store.append('a', { kind: 'any' }, [newEvent()]);
    await new Promise((r) => setImmediate(r)); // the first flush has started
    const rest = Array.from({ length: 20 }, () => store.append('b', { kind: 'any' }, [newEvent()]));
    await Promise.all([first, ...rest]);
    expect(store.log.flushes - before).toBe(2);
  });
});
