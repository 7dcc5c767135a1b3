import { randomBytes } from 'node:crypto';
import { IdCache } from './idCache';
import { decodeSnapshot, encodeSnapshot, encodeSnapshotInSlices } from './indexSnapshot';
import { StreamIndex } from './streamIndex';

function build(events: number): { index: StreamIndex; ids: IdCache; end: number } {
  const index = new StreamIndex();
  const ids = new IdCache(50_000);
  let p = 100;
  for (let i = 0; i < events; i++) {
    index.addEvent(`s-${i % 997}`, p);
    ids.set(randomBytes(16), p);
    p += 300;
  }
  index.addTombstone('gone', p);
  p += 300;
  return { index, ids, end: p };
}

describe('index snapshot encoding', () => {
  it('encodes the same bytes in slices, while appends go on, as at once', async () => {
    const { index, ids, end } = build(200_000);
    const atOnce = encodeSnapshot(index, end, ids);
    let p = end;
    let stop = false;
    const slicing = encodeSnapshotInSlices(index, end, ids); // captures what it needs at once
    // appends between the slices: new events, new streams, new ids
    const appender = (async () => {
      while (!stop) {
        for (let i = 0; i < 1000; i++) {
          index.addEvent(i % 2 ? `new-${i % 13}` : `s-${i % 997}`, p);
          ids.set(randomBytes(16), p);
          p += 300;
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    const sliced = await slicing;
    stop = true;
    await appender;
    expect(p).toBeGreaterThan(end); // the appends did interleave
    expect(sliced.equals(atOnce)).toBe(true);
    const decoded = decodeSnapshot(sliced)!;
    expect(decoded.logEnd).toBe(end);
    expect(decoded.allPositions.length).toBe(200_001);
    expect(decoded.ids.length).toBe(50_000);
    expect(decoded.streams.find((s) => s.name === 'gone')!.tombstone).toBe(end - 300);
    expect(Array.from(decoded.streams.find((s) => s.name === 's-5')!.positions)).toEqual(
      index.get('s-5')!.positions.filter((x) => x < end),
    );
  }, 60_000);
});
