import { trackCounters, trackCountersCollection } from './trackCounters';
import { trackEvent } from './testing/events';
import { projectionSpec } from './testing/inMemoryReadModel';

const spec = projectionSpec(trackCounters);

describe('trackCounters', () => {
  it('counts each kind of fact, nets likes and saves', () => {
    spec
      .given([
        trackEvent('TrackPlayed', { trackId: 't1' }),
        trackEvent('TrackSkipped', { trackId: 't1' }),
      ])
      .when([
        trackEvent('TrackLiked', { trackId: 't1' }),
        trackEvent('TrackLiked', { trackId: 't1' }),
        trackEvent('TrackUnliked', { trackId: 't1' }),
        trackEvent('TrackSaved', { trackId: 't1' }),
        trackEvent('TrackShared', { trackId: 't1' }),
        trackEvent('TrackDownloaded', { trackId: 't1' }),
        trackEvent('TrackPlayed', { trackId: 't2' }),
      ])
      .then((docs) => {
        expect(docs[trackCountersCollection]!.t1).toMatchObject({
          playCount: 1,
          skipCount: 1,
          likeCount: 1,
          saveCount: 1,
          shareCount: 1,
          downloadCount: 1,
        });
        expect(docs[trackCountersCollection]!.t2).toMatchObject({ playCount: 1, likeCount: 0 });
      });
  });

  it('attributes a track to its artist even when the catalog event comes after the plays', () => {
    spec
      .given([trackEvent('TrackPlayed', { trackId: 't1' })])
      .when([trackEvent('TrackRegistered', { trackId: 't1', artistId: 'a9', title: 'Late' })])
      .then((docs) => {
        expect(docs[trackCountersCollection]!.t1).toMatchObject({
          playCount: 1,
          artistId: 'a9',
          title: 'Late',
        });
      });
  });

  it('gives the same documents however the log is cut into batches', () => {
    const events = [
      trackEvent('TrackPlayed', { trackId: 't1', occurredAt: '2026-01-01T00:00:00.000Z' }),
      trackEvent('TrackLiked', { trackId: 't1' }),
      trackEvent('TrackPlayed', { trackId: 't1', occurredAt: '2026-02-01T00:00:00.000Z' }),
      trackEvent('TrackUnliked', { trackId: 't1' }),
    ];
    const whole = spec.run([events]);
    for (let cut = 1; cut < events.length; cut++) {
      expect(spec.run([events.slice(0, cut), events.slice(cut)])).toEqual(whole);
    }
    expect(whole[trackCountersCollection]!.t1).toMatchObject({
      firstEventAt: '2026-01-01T00:00:00.000Z',
      lastEventAt: '2026-02-01T00:00:00.000Z',
    });
  });
});
