import fc from 'fast-check';
import { foldRollups } from '../../projections/lib/rollupView';
import { cutsArb, logArb, splitAt } from '../../projections/testing/arbitraries';
import { projectionSpec } from '../../projections/testing/inMemoryReadModel';
import {
  trackRollups,
  trackRollupsCollection,
  type TrackRollupDoc,
} from '../../projections/trackRollups';
import { compactedDoc } from './compactRollups';

const spec = projectionSpec(trackRollups);

it('a compacted document reads exactly like the deltas it replaces, corrections included', () => {
  fc.assert(
    fc.property(
      logArb().chain((log) => fc.tuple(fc.constant(log), cutsArb(log.length))),
      fc.integer({ min: -3, max: 3 }),
      ([log, cuts], correction) => {
        const deltas = Object.values(
          spec.run(splitAt(log, cuts))[trackRollupsCollection] ?? {},
        ) as unknown as TrackRollupDoc[];
        // Reconciliation adds count corrections to a stored month document.
        const months = deltas.filter((d) => d.granularity === 'm');
        if (months[0] && correction !== 0) {
          months[0].total = { plays: correction };
          months[0].days = { '01': { plays: correction } };
        }
        const views = foldRollups(deltas);
        const upTo = Math.max(...deltas.map((d) => d.pos ?? 0));
        const compacted = views.map(compactedDoc(upTo));
        expect(compacted.every((d) => d.granularity === 'y' || d.v === 3)).toBe(true);
        const strip = ({ upTo: _upTo, ...rest }: (typeof views)[number]) => rest;
        expect(foldRollups(compacted).map(strip)).toEqual(views.map(strip));
      },
    ),
    { numRuns: 60 },
  );
});
