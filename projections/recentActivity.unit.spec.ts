import fc from 'fast-check';
import type { TrackEvent } from '../src/events/stored';
import {
  newest,
  recentActivity,
  recentActivityCollection,
  type RecentActivity,
  type RecentPlay,
} from './recentActivity';
import { cutsArb, logArb, splitAt } from './testing/arbitraries';
import { trackEvent } from './testing/events';
import { projectionSpec, type Docs } from './testing/inMemoryReadModel';

const spec = projectionSpec(recentActivity);

/** What the dashboard query does: newest docs first, then newest entries across them. */
function lastPlays(docs: Docs, trackIds: string[], n = 10): RecentPlay[] {
  const all = Object.values(docs[recentActivityCollection] ?? {}) as unknown as RecentActivity[];
  const top = all
    .filter((d) => trackIds.includes(d.trackId) && d.lastPlayAt)
    .sort((a, b) => b.lastPlayAt!.getTime() - a.lastPlayAt!.getTime())
    .slice(0, n);
  return newest(
    top.flatMap((d) => d.plays),
    n,
  );
}

const play = (trackId: string, minute: number) =>
  trackEvent('TrackPlayed', {
    trackId,
    occurredAt: new Date(Date.UTC(2026, 0, 5, 10, minute)).toISOString(),
  });

describe('recentActivity', () => {
  it('keeps the newest 10 plays and 5 likes of a batch per track, newest first', () => {
    const plays = Array.from({ length: 12 }, (_, i) => play('t1', i));
    spec
      .given()
      .when([...plays, trackEvent('TrackLiked', { trackId: 't1' })])
      .then((docs) => {
        const [doc] = Object.values(docs[recentActivityCollection]!) as unknown as RecentActivity[];
        expect(doc!.plays.map((p) => p.eventId)).toEqual(
          plays
            .slice(2)
            .reverse()
            .map((p) => p.id),
        );
        expect(doc!.likes).toHaveLength(1);
        expect(doc!.lastPlayAt).toEqual(new Date(Date.UTC(2026, 0, 5, 10, 11)));
      });
  });

  it('gives an artist the newest plays across tracks and batches', () => {
    spec
      .given([play('t1', 1), play('t2', 5)], [play('t1', 3)])
      .when([play('t2', 2), play('t3', 9)])
      .then((docs) => {
        expect(
          lastPlays(docs, ['t1', 't2'], 3).map((p) => [p.trackId, p.at.getUTCMinutes()]),
        ).toEqual([
          ['t2', 5],
          ['t1', 3],
          ['t2', 2],
        ]);
      });
  });

  it('answers the same newest plays however the log is batched, and after replays', () => {
    fc.assert(
      fc.property(
        logArb().chain((log) => fc.tuple(fc.constant(log), cutsArb(log.length))),
        ([log, cuts]) => {
          const batches = splitAt(log, cuts);
          const played = log.filter(
            (e): e is Extract<TrackEvent, { type: 'TrackPlayed' }> => e.type === 'TrackPlayed',
          );
          const expected = newest(
            played.map((e) => ({ eventId: e.id, at: new Date(e.data.occurredAt) })),
            10,
          ).map((p) => p.eventId);
          const got = (docs: Docs) => lastPlays(docs, ['t1', 't2', 't3']).map((p) => p.eventId);
          expect(got(spec.run(batches))).toEqual(expected);
          expect(got(spec.run(batches.flatMap((b) => [b, b])))).toEqual(expected);
        },
      ),
      { numRuns: 80 },
    );
  });
});
