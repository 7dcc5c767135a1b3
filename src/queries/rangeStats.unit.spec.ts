import fc from 'fast-check';
import { sketchOfHashes } from '../../projections/lib/listenerSketch';
import { planSeries, seriesGranularity } from './rangePlanner';
import { completeStats, stableStats, type SeriesPlan } from './rangeStats';
import type { CellLookup } from './rollupCache';
import type { RollupCell } from './rollupCells';
import { addRaw, emptyTally, type RawEvent } from './tally';
import { TrackEvents } from './trackEvents';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 28, 5, 17); // a week across two months, ragged hours
const types = ['TrackPlayed', 'TrackSkipped', 'TrackLiked', 'TrackSaved', 'TrackShared'];

const eventArb = fc.record({
  track: fc.nat(2),
  at: fc.integer({ min: -10 * HOUR, max: 40 * 24 * HOUR }),
  type: fc.constantFrom(...types),
  listener: fc.nat(30),
  key: fc.constantFrom('a', 'b', 'c'),
});

function raw(e: { at: number; type: string; listener: number; key: string }, pos: number) {
  return {
    id: `e${pos}`,
    at: T0 + e.at,
    pos,
    type: e.type,
    listener: e.listener,
    durationSeconds: pos % 200,
    completionRate: pos % 100,
    replayed: pos % 3 === 0,
    key: e.key,
  } satisfies RawEvent;
}

/** What a rollup folded at `checkpoint` holds for a cell: the cell's events with pos ≤ it. */
function rollupLookup(all: RawEvent[][], checkpoint: number, loaded: (c: RollupCell) => boolean) {
  const lookup: CellLookup = (trackId, cell) => {
    if (!loaded(cell)) return undefined;
    const tally = emptyTally();
    const hashes: number[] = [];
    for (const e of all[Number(trackId)]!) {
      if (e.at < cell.start || e.at >= cell.end || e.pos > checkpoint) continue;
      const h = addRaw(tally, e);
      if (h !== undefined) hashes.push(h);
    }
    return { tally, sketch: sketchOfHashes(hashes), checkpoint };
  };
  return lookup;
}

describe('stableStats + completeStats', () => {
  it('count every event of the range exactly once, whatever is loaded, cached or appended since', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 150 }),
        fc.nat(150),
        fc.nat(150),
        fc.integer({ min: -5 * HOUR, max: 30 * 24 * HOUR }),
        fc.integer({ min: 1, max: 35 * 24 * HOUR }),
        fc.nat(7),
        (list, split, checkpointAt, fromOffset, length, loadedMask) => {
          const from = T0 + fromOffset + 0.5;
          const to = from + length;
          const plan: SeriesPlan = planSeries(from, to, {
            rollupsUntil: T0 + 36 * 24 * HOUR + 1234,
            series: seriesGranularity(from, to),
          });
          const all: RawEvent[][] = [[], [], []];
          list.forEach((e, pos) => all[e.track]!.push(raw(e, pos)));
          const ids = ['0', '1', '2'];
          const streams = new Map(ids.map((id) => [id, new TrackEvents()]));
          // The stable part sees the first `split` events; the rest are appended after it.
          const early = list.slice(0, split);
          early.forEach((e, pos) => streams.get(String(e.track))!.push(raw(e, pos)));
          const loaded = (c: RollupCell) => ((c.start / HOUR) & 7 & loadedMask) === 0;
          const stable = stableStats(
            ids,
            plan,
            rollupLookup(all, Math.min(checkpointAt, split - 1), loaded),
            streams,
          );
          list
            .slice(split)
            .forEach((e, i) => streams.get(String(e.track))!.push(raw(e, split + i)));
          const got = completeStats(ids, plan, stable, streams);

          const expected = emptyTally();
          const listeners = new Set<number>();
          const series = plan.map(() => emptyTally());
          for (const track of all) {
            for (const e of track) {
              if (e.at < from || e.at >= to) continue;
              const h = addRaw(expected, e);
              if (h !== undefined) listeners.add(h);
              addRaw(series[plan.findIndex((b) => e.at >= b.start && e.at < b.end)]!, e);
            }
          }
          expect(got.total).toEqual(expected);
          expect(got.series).toEqual(series);
          expect(got.uniqueListeners).toBe(listeners.size);
          // The stable part is shared by later requests: never modified.
          const again = completeStats(ids, plan, stable, streams);
          expect(again.total).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
