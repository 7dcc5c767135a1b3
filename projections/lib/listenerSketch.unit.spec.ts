import fc from 'fast-check';
import {
  deserialize,
  estimate,
  merge,
  mergeAll,
  serialize,
  sketchOf,
  sparseLimit,
} from './listenerSketch';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('listenerSketch', () => {
  it('counts exactly while small, and a merge is a union, not a sum', () => {
    const a = sketchOf(['u1', 'u2', 'u3']);
    const b = sketchOf(['u3', 'u4']);
    expect(estimate(a)).toBe(3);
    expect(estimate(merge(a, b))).toBe(4);
    expect(estimate(merge(a, a))).toBe(3);
  });

  it('merges like the union of its inputs, in any order and grouping', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 60 }), { maxLength: 6 }),
        (groups) => {
          const sketches = groups.map((g) => sketchOf(g.map((n) => `l${n}`)));
          const union = new Set(groups.flat());
          expect(estimate(mergeAll(sketches))).toBe(union.size);
          expect(estimate(mergeAll([...sketches].reverse()))).toBe(union.size);
        },
      ),
    );
  });

  it.each([sparseLimit + 1, 20_000, 120_000])(
    'stays within 2%% of the truth past the exact range (%i listeners, merged from 3 parts)',
    (n) => {
      const all = ids(`n${n}`, n);
      const third = Math.ceil(n / 3);
      // Overlapping parts: the union is `all`.
      const parts = [0, 1, 2].map((k) =>
        sketchOf(all.slice(Math.max(0, k * third - 100), (k + 1) * third)),
      );
      const merged = mergeAll(parts);
      expect(merged.kind).toBe('dense');
      expect(Math.abs(estimate(merged) - n) / n).toBeLessThan(0.02);
    },
  );

  it('round-trips through its serialized bytes, sparse and dense', () => {
    for (const s of [sketchOf([]), sketchOf(ids('s', 10)), sketchOf(ids('d', 5000))]) {
      const back = deserialize(serialize(s));
      expect(back).toEqual(s);
      expect(estimate(back)).toBe(estimate(s));
    }
    expect(() => deserialize(new Uint8Array([9, 1, 2]))).toThrow(/not a listener sketch/);
  });
});
