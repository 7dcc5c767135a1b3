import fc from 'fast-check';
import type { RawEvent } from './tally';
import { newestFirst, TrackEvents } from './trackEvents';

const eventsArb = fc.array(
  fc.record({
    at: fc.integer({ min: 0, max: 50 }),
    type: fc.constantFrom('TrackPlayed', 'TrackLiked', 'TrackShared'),
    id: fc.constantFrom('a', 'b', 'c', 'd'),
  }),
  { maxLength: 80 },
);

describe('TrackEvents', () => {
  it('finds time spans, position suffixes and the newest plays and likes like a scan does', () => {
    fc.assert(
      fc.property(eventsArb, fc.nat(50), fc.nat(50), fc.nat(100), (list, a, b, p) => {
        const t = new TrackEvents();
        const all: RawEvent[] = list.map((e, i) => ({
          ...e,
          pos: i,
          listener: 0,
          durationSeconds: 0,
          completionRate: 0,
          replayed: false,
        }));
        all.forEach((e) => t.push(e));
        const [from, to] = [Math.min(a, b), Math.max(a, b)];
        const [lo, hi] = t.between(from, to);
        expect(
          t.byTime
            .slice(lo, hi)
            .map((e) => e.pos)
            .sort((x, y) => x - y),
        ).toEqual(all.filter((e) => e.at >= from && e.at < to).map((e) => e.pos));
        expect(t.byTime.every((e, i) => i === 0 || t.byTime[i - 1]!.at <= e.at)).toBe(true);
        expect(t.byPos.slice(t.after(p))).toEqual(all.filter((e) => e.pos > p));
        for (const type of ['TrackPlayed', 'TrackLiked'] as const) {
          const expected = all
            .filter((e) => e.type === type)
            .sort(newestFirst)
            .slice(0, 10);
          expect(t.newest[type].map((e) => [e.at, e.id])).toEqual(
            expected.map((e) => [e.at, e.id]),
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
