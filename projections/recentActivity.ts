import type { TrackEvent } from '../src/events/stored';
import type { Projection, ReadModelOp } from './types';

/**
 * Recent activity per track (an artist's view merges the artist's tracks at query time, so a
 * catalog event arriving after the plays still attributes them). Insert-only: per batch and
 * track, one document with the batch's newest plays and likes; older entries of the same
 * batch can never be among the track's newest, so they are dropped here. The prune job
 * deletes documents that no longer hold any of a track's newest entries.
 */
export const recentActivityCollection = 'recent_activity';
export const recentPlaysKept = 10;
export const recentLikesKept = 5;

export type RecentPlay = {
  eventId: string;
  trackId: string;
  listenerId: string;
  at: Date;
  source: string;
  durationSeconds: number;
  completionRate: number;
};

export type RecentLike = { eventId: string; trackId: string; listenerId: string; at: Date };

export type RecentActivityDoc = {
  /** `<trackId>|<pos>`: pos is the commit position of the batch's last handled event. */
  _id: string;
  trackId: string;
  pos: number;
  /** Newest first, at most `recentPlaysKept`. */
  plays: RecentPlay[];
  /** Newest first, at most `recentLikesKept`. */
  likes: RecentLike[];
  /** `at` of plays[0] / likes[0], absent when empty: index these to find the newest docs. */
  lastPlayAt?: Date;
  lastLikeAt?: Date;
};

/** Newest first by `at`, then by event id for a stable order; duplicates (same id) removed. */
export function newest<T extends { eventId: string; at: Date }>(
  items: Iterable<T>,
  keep: number,
): T[] {
  const byId = new Map<string, T>();
  for (const i of items) byId.set(i.eventId, i);
  return [...byId.values()]
    .sort((a, b) => b.at.getTime() - a.at.getTime() || (a.eventId < b.eventId ? -1 : 1))
    .slice(0, keep);
}

export const recentActivity: Projection = {
  name: 'recentActivity',
  version: 1,
  canHandle: ['TrackPlayed', 'TrackLiked'],
  collections: [recentActivityCollection],
  indexes: [
    { collection: recentActivityCollection, keys: { trackId: 1, lastPlayAt: -1 } },
    { collection: recentActivityCollection, keys: { trackId: 1, lastLikeAt: -1 } },
  ],
  project(events: readonly TrackEvent[]): ReadModelOp[] {
    if (events.length === 0) return [];
    const pos = Number(events[events.length - 1]!.position);
    const perTrack = new Map<string, { plays: RecentPlay[]; likes: RecentLike[] }>();
    for (const e of events) {
      let t = perTrack.get(e.data.trackId);
      if (!t) perTrack.set(e.data.trackId, (t = { plays: [], likes: [] }));
      const base = {
        eventId: e.id,
        trackId: e.data.trackId,
        at: new Date(e.data.occurredAt),
      };
      if (e.type === 'TrackPlayed') {
        t.plays.push({
          ...base,
          listenerId: e.data.listenerId,
          source: e.data.source,
          durationSeconds: e.data.durationSeconds,
          completionRate: e.data.completionRate,
        });
      } else if (e.type === 'TrackLiked') {
        t.likes.push({ ...base, listenerId: e.data.listenerId });
      }
    }
    return [...perTrack].map(([trackId, t]) => {
      const plays = newest(t.plays, recentPlaysKept);
      const likes = newest(t.likes, recentLikesKept);
      const doc: RecentActivityDoc = {
        _id: `${trackId}|${pos}`,
        trackId,
        pos,
        plays,
        likes,
        ...(plays[0] ? { lastPlayAt: plays[0].at } : {}),
        ...(likes[0] ? { lastLikeAt: likes[0].at } : {}),
      };
      return { collection: recentActivityCollection, id: doc._id, insert: doc };
    });
  },
};
