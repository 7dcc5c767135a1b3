import fc from 'fast-check';
import { IdCache } from './idCache';

const id = (n: number): Buffer => {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(n, 12);
  return b;
};

describe('IdCache', () => {
  it('keeps the newest `capacity` ids, like a reference model', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.nat()), { maxLength: 60 }),
        (capacity, ops) => {
          const cache = new IdCache(capacity);
          // model: ids in order of their latest set, oldest first
          let model: [number, number][] = [];
          for (const [n, position] of ops) {
            cache.set(id(n), position);
            // the ring holds the last `capacity` sets; an id set twice counts at its newest
            model = [...model, [n, position] as [number, number]].slice(-capacity);
          }
          const latest = new Map<number, number>();
          for (const [n, p] of model) latest.set(n, p);
          for (let n = 0; n <= 12; n++) expect(cache.get(id(n))).toBe(latest.get(n));
          expect(cache.size).toBe(latest.size);
          const expectedEntries = model
            .filter(([n], i) => !model.slice(i + 1).some(([m]) => m === n))
            .map(([n, p]) => [id(n), p]);
          const entries: [Buffer, number][] = [];
          cache.forEach((k, p) => entries.push([Buffer.from(k), p]));
          expect(entries).toEqual(expectedEntries);
        },
      ),
    );
  });

  it('keeps probe runs intact through many evictions and re-sets', () => {
    // ids that share their first 12 bytes, so only the hash spreads them
    const cache = new IdCache(37);
    const model = new Map<number, number>();
    const order: number[] = [];
    let seed = 7;
    for (let step = 0; step < 5_000; step++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const n = seed % 300;
      cache.set(id(n), step);
      order.push(n);
      model.set(n, step);
      if (order.length > 37) {
        const gone = order.shift()!;
        if (!order.includes(gone)) model.delete(gone);
      }
      if (step % 97 === 0) {
        for (let m = 0; m < 300; m++) expect(cache.get(id(m))).toBe(model.get(m));
        expect(cache.size).toBe(model.size);
      }
    }
  });

  it('evicts in constant time once full', () => {
    const cache = new IdCache(50_000);
    const t0 = performance.now();
    for (let i = 0; i < 300_000; i++) cache.set(id(i), i);
    const ms = performance.now() - t0;
    expect(cache.size).toBe(50_000);
    expect(cache.get(id(249_999))).toBeUndefined();
    expect(cache.get(id(250_000))).toBe(250_000);
    // a regression guard, not a benchmark: the quadratic eviction took ~15 s here, this ~0.5 s
    expect(ms).toBeLessThan(5000);
  });
});
