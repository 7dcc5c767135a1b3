import fc from 'fast-check';
import type { Document } from 'mongodb';
import { cutsArb, logArb, splitAt } from '../../projections/testing/arbitraries';
import { projectionSpec } from '../../projections/testing/inMemoryReadModel';
import { trackCounters } from '../../projections/trackCounters';
import { trackRollups } from '../../projections/trackRollups';
import type { Projection } from '../../projections/types';
import { testDatabase, testWriteBudget } from '../../test/mongo';
import { documentCodec } from '../readModels/documentCodecs';
import { writeBatch } from './readModelWriter';

/**
 * The pure specs again, against the real MongoDB-compatible server: the same batches written
 * through the runtime's writer must give, read back through the read model's codec, the
 * documents the in-memory model gives, and a replayed batch must change nothing.
 */
const mongo = testDatabase('projections');
const budget = testWriteBudget();
const projections: Projection[] = [trackCounters, trackRollups];

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
        // A replay after a crash starts from the state as of the batch's start (its checkpoint).
        const state = projection.state?.load([], 0);
        let before: unknown;
        for (const [i, batch] of [...batches, batches[batches.length - 1] ?? []].entries()) {
          const events = batch.filter((e) => projection.canHandle.includes(e.type));
          if (events.length === 0) continue;
          const replay = i === batches.length;
          if (!replay) before = structuredClone(state);
          await writeBatch(
            mongo.db,
            name,
            projection.project(events, replay ? before : state),
            batch[batch.length - 1]!.position,
            { bulkChunkSize: 99, writeBudget: budget },
          );
        }
        const expected = projectionSpec(projection).run(batches);
        // Partitioned projections write collections named by their events' periods.
        for (const logical of Object.keys(expected)) {
          const codec = documentCodec(logical);
          const stored = await mongo.db.collection(name(logical)).find({}).toArray();
          const actual = codec ? stored.map((d) => codec.decode(d)) : stored;
          const inMemory = Object.values(expected[logical] ?? {}) as Document[];
          expect(withoutPos(actual)).toEqual(withoutPos(inMemory));
        }
      }
    }
  });
});
