import type { TrackEvent } from '../../src/events/stored';
import { isoWeekKey } from '../lib/buckets';

/**
 * Straightforward recomputation of a few rollup metrics from raw events, independent of the
 * projection's accumulator: the reference the property tests compare against.
 */
export type OracleBucket = {
  plays: number;
  skips: number;
  likes: number;
  saves: number;
  shares: number;
  durationSum: number;
  uniqueListeners: number;
  sources: Record<string, number>;
  playlists: Record<string, number>;
};

export type BucketRef = { trackId: string; granularity: 'h' | 'd' | 'w' | 'm' | 'y'; key: string };

export function bucketOf(granularity: BucketRef['granularity'], occurredAt: string): string {
  const iso = new Date(occurredAt).toISOString();
  switch (granularity) {
    case 'y':
      return iso.slice(0, 4);
    case 'm':
      return iso.slice(0, 7);
    case 'd':
      return iso.slice(0, 10);
    case 'h':
      return iso.slice(0, 13);
    case 'w':
      return isoWeekKey(new Date(iso));
  }
}

export function oracle(events: readonly TrackEvent[], ref: BucketRef): OracleBucket {
  const inBucket = events.filter(
    (e) =>
      e.type !== 'TrackRegistered' &&
      e.type !== 'TrackUpdated' &&
      e.data.trackId === ref.trackId &&
      bucketOf(ref.granularity, e.data.occurredAt) === ref.key,
  );
  const of = (t: TrackEvent['type']) => inBucket.filter((e) => e.type === t);
  const plays = of('TrackPlayed') as Extract<TrackEvent, { type: 'TrackPlayed' }>[];
  const count = (keys: string[]) =>
    keys.reduce<Record<string, number>>((m, k) => ((m[k] = (m[k] ?? 0) + 1), m), {});
  return {
    plays: plays.length,
    skips: of('TrackSkipped').length,
    likes: of('TrackLiked').length,
    saves: of('TrackSaved').length,
    shares: of('TrackShared').length,
    durationSum: plays.reduce((s, e) => s + e.data.durationSeconds, 0),
    uniqueListeners: new Set(plays.map((e) => e.data.listenerId)).size,
    sources: count(plays.map((e) => e.data.source)),
    playlists: count(
      (of('TrackSaved') as Extract<TrackEvent, { type: 'TrackSaved' }>[]).map(
        (e) => e.data.playlistId,
      ),
    ),
  };
}
