import { encodeKey } from './lib/rollupStats';
import {
  counterCompactedId,
  counterShardOf,
  counterShards,
  foldCounters,
  trackCatalogCollection,
  trackCounters,
  trackCountersCollection,
  type TrackCountersDoc,
} from './trackCounters';
import { trackEvent } from './testing/events';
import { projectionSpec, type Docs } from './testing/inMemoryReadModel';

const spec = projectionSpec(trackCounters);
const counterDocs = (docs: Docs) =>
  Object.values(docs[trackCountersCollection] ?? {}) as unknown as TrackCountersDoc[];
const counters = (docs: Docs, checkpoint?: number) => foldCounters(counterDocs(docs), checkpoint);

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
        expect(counters(docs).get('t1')).toMatchObject({
          playCount: 1,
          skipCount: 1,
          likeCount: 1,
          saveCount: 1,
          shareCount: 1,
          downloadCount: 1,
        });
        expect(counters(docs).get('t2')).toMatchObject({ playCount: 1 });
        expect(counters(docs).get('t2')?.likeCount ?? 0).toBe(0);
      });
  });

  it('writes only inserts: one delta per shard touched by a batch, none for catalog-only', () => {
    const tracks = Array.from({ length: 200 }, (_, i) => `track-${i}`);
    const ops = trackCounters.project(
      tracks.flatMap((trackId) => [
        trackEvent('TrackPlayed', { trackId }),
        trackEvent('TrackPlayed', { trackId }),
      ]),
    );
    expect(ops.every((op) => op.insert !== undefined)).toBe(true);
    expect(ops).toHaveLength(new Set(tracks.map(counterShardOf)).size);
    expect(ops.length).toBeLessThanOrEqual(counterShards);
    const catalogOnly = trackCounters.project([
      trackEvent('TrackRegistered', { trackId: 't1', artistId: 'a1', title: 'T' }),
    ]);
    expect(catalogOnly.map((op) => op.collection)).toEqual([trackCatalogCollection]);
  });

  it('keeps catalog fields in the catalog, also when the catalog event comes after the plays', () => {
    spec
      .given([trackEvent('TrackPlayed', { trackId: 't1' })])
      .when([
        trackEvent('TrackRegistered', { trackId: 't1', artistId: 'a9', title: 'Late' }),
        trackEvent('TrackUpdated', { trackId: 't1', artistId: 'a9', title: 'Later' }),
      ])
      .then((docs) => {
        expect(docs[trackCatalogCollection]!.t1).toMatchObject({ artistId: 'a9', title: 'Later' });
        expect(counters(docs).get('t1')).toMatchObject({ playCount: 1 });
      });
  });

  it('gives the same counts however the log is cut into batches', () => {
    const events = [
      trackEvent('TrackPlayed', { trackId: 't1', occurredAt: '2026-01-01T00:00:00.000Z' }),
      trackEvent('TrackLiked', { trackId: 't1' }),
      trackEvent('TrackPlayed', { trackId: 't.2$', occurredAt: '2026-03-01T00:00:00.000Z' }),
      trackEvent('TrackPlayed', { trackId: 't1', occurredAt: '2026-02-01T00:00:00.000Z' }),
      trackEvent('TrackUnliked', { trackId: 't1' }),
    ];
    const whole = counters(spec.run([events]));
    for (let cut = 1; cut < events.length; cut++) {
      expect(counters(spec.run([events.slice(0, cut), events.slice(cut)]))).toEqual(whole);
    }
    expect(whole.get('t1')).toEqual({
      playCount: 2,
      firstEventAt: '2026-01-01T00:00:00.000Z',
      lastEventAt: '2026-02-01T00:00:00.000Z',
    });
    expect(whole.get('t.2$')).toMatchObject({ playCount: 1 });
  });

  it('a replayed batch inserts the same ids: nothing is counted twice', () => {
    const batch = [
      trackEvent('TrackPlayed', { trackId: 't1' }),
      trackEvent('TrackPlayed', { trackId: 't2' }),
    ];
    expect(counters(spec.run([batch, batch]))).toEqual(counters(spec.run([batch])));
  });

  it('readers ignore deltas beyond the checkpoint and deltas covered by a compacted version', () => {
    const first = [trackEvent('TrackPlayed', { trackId: 't1' })];
    const second = [trackEvent('TrackPlayed', { trackId: 't1' })];
    const docs = counterDocs(spec.run([first, second]));
    const firstPos = Number(first[0]!.position);
    expect(foldCounters(docs, firstPos).get('t1')?.playCount).toBe(1);
    expect(foldCounters(docs).get('t1')?.playCount).toBe(2);
    // Compaction inserted its version of the first batch, but crashed before deleting the delta.
    const shard = counterShardOf('t1');
    const compacted: TrackCountersDoc = {
      _id: counterCompactedId(shard, firstPos),
      kind: 'compacted',
      shard,
      upTo: firstPos,
      tracks: { [encodeKey('t1')]: { playCount: 1 } },
    };
    expect(foldCounters([...docs, compacted]).get('t1')?.playCount).toBe(2);
    // An older compacted version left behind is superseded by the newer one.
    const older = { ...compacted, _id: counterCompactedId(shard, 1), upTo: 1 };
    expect(foldCounters([older, ...docs, compacted]).get('t1')?.playCount).toBe(2);
  });
});
