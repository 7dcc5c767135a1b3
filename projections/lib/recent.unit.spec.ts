import fc from 'fast-check';
import type { TrackEvent } from '../../src/events/stored';
import { cutsArb, logArb, splitAt } from '../testing/arbitraries';
import { trackEvent } from '../testing/events';
import {
  keepNewest,
  newest,
  recentLike,
  recentLikesKept,
  recentPlay,
  recentPlaysKept,
  type RecentPlay,
} from './recent';

const play = (trackId: string, minute: number) =>
  trackEvent('TrackPlayed', {
    trackId,
    occurredAt: new Date(Date.UTC(2026, 0, 5, 10, minute)).toISOString(),
  });

/** What trackRollups keeps of one batch for one track. */
function batchNewest(events: readonly TrackEvent[]): RecentPlay[] {
  const kept: TrackEvent[] = [];
  for (const e of events) if (e.type === 'TrackPlayed') keepNewest(kept, e, recentPlaysKept);
  return newest(kept.map(recentPlay), recentPlaysKept);
}

describe('recent plays and likes', () => {
  it('keeps the newest 10 plays of a batch, newest first, whatever their order', () => {
    const plays = Array.from({ length: 12 }, (_, i) => play('t1', i));
    const expected = plays
      .slice(2)
      .reverse()
      .map((p) => p.id);
    expect(batchNewest(plays).map((p) => p.eventId)).toEqual(expected);
    expect(batchNewest([...plays].reverse()).map((p) => p.eventId)).toEqual(expected);
    expect(recentPlaysKept).toBe(10);
    expect(recentLikesKept).toBe(5);
  });

  it('gives a play its details and a like its listener and time', () => {
    const p = play('t1', 3);
    expect(recentPlay(p)).toEqual({
      eventId: p.id,
      trackId: 't1',
      listenerId: 'listener-1',
      at: new Date(Date.UTC(2026, 0, 5, 10, 3)),
      source: 'direct',
      durationSeconds: 120,
      completionRate: 50,
    });
    const l = trackEvent('TrackLiked', { trackId: 't2' });
    expect(recentLike(l)).toEqual({
      eventId: l.id,
      trackId: 't2',
      listenerId: 'listener-1',
      at: new Date('2026-01-05T10:00:00.000Z'),
    });
  });

  it('merges lists newest first, ties by event id, duplicates once', () => {
    const at = new Date('2026-01-05T10:00:00Z');
    const later = new Date('2026-01-05T11:00:00Z');
    const got = newest(
      [
        { eventId: 'b', at },
        { eventId: 'a', at },
        { eventId: 'c', at: later },
        { eventId: 'a', at },
      ],
      3,
    );
    expect(got.map((i) => i.eventId)).toEqual(['c', 'a', 'b']);
  });

  it('answers the same newest plays however the log is batched, and after replays', () => {
    fc.assert(
      fc.property(
        logArb().chain((log) => fc.tuple(fc.constant(log), cutsArb(log.length))),
        ([log, cuts]) => {
          const batches = splitAt(log, cuts);
          const played = log.filter((e) => e.type === 'TrackPlayed');
          const expected = newest(
            played.map((e) => ({ eventId: e.id, at: new Date(e.data.occurredAt) })),
            recentPlaysKept,
          ).map((p) => p.eventId);
          const merged = (bs: TrackEvent[][]) =>
            newest(bs.flatMap(batchNewest), recentPlaysKept).map((p) => p.eventId);
          expect(merged(batches)).toEqual(expected);
          expect(merged(batches.flatMap((b) => [b, b]))).toEqual(expected);
        },
      ),
      { numRuns: 80 },
    );
  });
});
