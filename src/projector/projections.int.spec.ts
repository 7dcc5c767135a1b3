import fc from 'fast-check';
import type { Document } from 'mongodb';
import { uniqueListeners, type RollupStats } from '../../projections/lib/rollupStats';
import { foldRollups, type RollupView } from '../../projections/lib/rollupView';
import { recentActivity } from '../../projections/recentActivity';
import { cutsArb, logArb, splitAt } from '../../projections/testing/arbitraries';
import { projectionSpec } from '../../projections/testing/inMemoryReadModel';
import { trackCounters } from '../../projections/trackCounters';
import { trackRollups, type TrackRollupDoc } from '../../projections/trackRollups';
import type { Projection } from '../../projections/types';
import { testDatabase } from '../../test/mongo';
import { writeBatch } from './readModelWriter';

/**
 * The pure specs again, against the real MongoDB-compatible server: the same batches written
 * through the runtime's writer must give the documents the in-memory model gives, and a
 * replayed batch must change nothing.
 */
const mongo = testDatabase('projections');
const projections: Projection[] = [trackCounters, trackRollups, recentActivity];

const normalizeStats = (s: RollupStats) => {
  const { listeners: _l, ...rest } = s;
  return { ...rest, uniqueListeners: uniqueListeners(s) };
};
const normalizeView = (v: RollupView) => ({
  ...v,
  total: normalizeStats(v.total),
  days: Object.fromEntries(Object.entries(v.days).map(([k, s]) => [k, normalizeStats(s)])),
  hours: Object.fromEntries(Object.entries(v.hours).map(([k, s]) => [k, normalizeStats(s)])),
  weeks: Object.fromEntries(Object.entries(v.weeks).map(([k, s]) => [k, normalizeStats(s)])),
});
const byKey = (views: RollupView[]) =>
  Object.fromEntries(
    views.map((v) => [`${v.trackId}|${v.granularity}|${v.period}`, normalizeView(v)]),
  );
const withoutPos = (docs: Document[]) =>
  Object.fromEntries(docs.map(({ _pos: _p, ...d }) => [String(d._id), d]));

describe('projections on the real database', () => {
  it('write what the in-memory model computes, and replayed batches change nothing', async () => {
    const samples = fc.sample(
      logArb(80, 30).chain((log) => fc.tuple(fc.constant(log), cutsArb(log.length))),
      { numRuns: 4, seed: 7 },
    );
    expect(samples.reduce((n, [log]) => n + log.length, 0)).toBeGreaterThan(119);
    for (const [run, [log, cuts]] of samples.entries()) {
      const batches = splitAt(log, cuts);
      const name = (logical: string) => `${logical}_${run}`;
      for (const projection of projections) {
        for (const batch of [...batches, batches[batches.length - 1] ?? []]) {
          const events = batch.filter((e) => projection.canHandle.includes(e.type));
          if (events.length === 0) continue;
          await writeBatch(
            mongo.db,
            name,
            projection.project(events),
            batch[batch.length - 1]!.position,
            99,
          );
        }
        const expected = projectionSpec(projection).run(batches);
        for (const logical of projection.collections) {
          const actual = await mongo.db.collection(name(logical)).find({}).toArray();
          const inMemory = Object.values(expected[logical] ?? {}) as Document[];
          if (logical === 'track_rollups') {
            expect(byKey(foldRollups(actual as unknown as TrackRollupDoc[]))).toEqual(
              byKey(foldRollups(inMemory as unknown as TrackRollupDoc[])),
            );
          } else {
            expect(withoutPos(actual)).toEqual(withoutPos(inMemory));
          }
        }
      }
    }
  });
});
