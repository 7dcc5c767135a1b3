import fc from 'fast-check';
import { estimate, hashListener, mergeAll, sketchOf } from '../../projections/lib/listenerSketch';
import { ListenerUnion } from './tally';

describe('ListenerUnion', () => {
  it('counts like the merge of every sketch and replayed listener (exact while small, HLL beyond)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 6000 }), { maxLength: 2500 }), {
          maxLength: 4,
        }),
        fc.array(fc.integer({ min: 0, max: 6000 }), { maxLength: 100 }),
        (buckets, replayed) => {
          const sketches = buckets.map((b) => sketchOf(b.map((i) => `l${i}`)));
          const union = new ListenerUnion();
          sketches.forEach((s) => union.addSketch(s));
          replayed.forEach((i) => union.addHash(hashListener(`l${i}`)));
          const expected = estimate(
            mergeAll([...sketches, sketchOf(replayed.map((i) => `l${i}`))]),
          );
          return union.count() === expected;
        },
      ),
      { numRuns: 60 },
    );
  });

  it('never sums per-bucket uniques', () => {
    const union = new ListenerUnion();
    union.addSketch(sketchOf(['a', 'b']));
    union.addSketch(sketchOf(['b', 'c']));
    union.addHash(hashListener('a'));
    expect(union.count()).toBe(3);
  });
});
