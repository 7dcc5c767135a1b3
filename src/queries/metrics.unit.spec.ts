import { average, engagement, growth, perHundred, playsSection, round2 } from './metrics';
import { emptyTally } from './tally';

describe('metrics', () => {
  it('rounds to two decimals and never yields NaN, Infinity or -0', () => {
    expect(round2(1 / 3)).toBe(0.33);
    expect(round2(2 / 3)).toBe(0.67);
    expect(round2(NaN)).toBe(0);
    expect(round2(Infinity)).toBe(0);
    expect(Object.is(round2(-0.001), 0)).toBe(true);
    expect(perHundred(1, 3)).toBe(33.33);
    expect(perHundred(5, 0)).toBe(0);
    expect(average(0, 0)).toBe(0);
  });

  it('gives growth vs the previous period, null when that was 0', () => {
    expect(growth(15, 10)).toBe(50);
    expect(growth(5, 10)).toBe(-50);
    expect(growth(3, 0)).toBeNull();
    expect(growth(0, 0)).toBeNull();
    expect(growth(1, 3)).toBe(-66.67);
  });

  it('answers zeros for an empty range', () => {
    const plays = playsSection(emptyTally(), 0);
    expect(plays).toMatchObject({
      totalPlays: 0,
      avgDuration: 0,
      avgCompletionRate: 0,
      skipRate: 0,
      replayRate: 0,
    });
    expect(plays.sourceBreakdown.search).toBe(0);
    expect(Object.values(engagement(emptyTally())).every((v) => v === 0)).toBe(true);
  });

  it('computes skipRate over plays and skips, rates per 100 plays', () => {
    const t = { ...emptyTally(), plays: 3, skips: 1, replays: 1, likes: 2, completionSum: 100 };
    expect(playsSection(t, 2)).toMatchObject({ skipRate: 25, replayRate: 33.33 });
    expect(engagement(t)).toMatchObject({ likeRate: 66.67, completionRate: 33.33 });
  });
});
