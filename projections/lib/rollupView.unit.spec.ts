import fc from 'fast-check';
import { cutsArb, logArb, splitAt } from '../testing/arbitraries';
import { projectionSpec } from '../testing/inMemoryReadModel';
import { trackRollups, trackRollupsCollection, type TrackRollupDoc } from '../trackRollups';
import { foldInSlices, foldRollups, type RollupView } from './rollupView';

const spec = projectionSpec(trackRollups);
const byKey = (views: RollupView[]) =>
  Object.fromEntries(views.map((v) => [`${v.trackId}|${v.granularity}|${v.period}`, v]));

it('folding in slices gives the views of one fold, whatever the slice size', async () => {
  await fc.assert(
    fc.asyncProperty(
      logArb().chain((log) => fc.tuple(fc.constant(log), cutsArb(log.length))),
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 0, max: 3000 }),
      async ([log, cuts], sliceDocs, checkpointOffset) => {
        const docs = Object.values(
          spec.run(splitAt(log, cuts))[trackRollupsCollection] ?? {},
        ) as unknown as TrackRollupDoc[];
        // A checkpoint inside the log: deltas past it are left out by both.
        const checkpoint = 1000 + checkpointOffset;
        const sliced: RollupView[] = [];
        for await (const v of foldInSlices([...docs].reverse(), checkpoint, sliceDocs))
          sliced.push(v);
        expect(sliced).toHaveLength(foldRollups(docs, checkpoint).length);
        expect(byKey(sliced)).toEqual(byKey(foldRollups(docs, checkpoint)));
      },
    ),
    { numRuns: 60 },
  );
});
