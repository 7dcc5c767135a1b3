import type { StoredEventData, TrackEvent } from '../src/events/stored';
import type { Projection, ReadModelOp } from './types';

/**
 * Recent activity per track (an artist's view merges the artist's tracks at query time, so a
 * catalog event arriving after the plays still attributes them). Insert-only: per batch and
 * track, one document with the batch's newest plays and likes; older entries of the same
 * batch can never be among the track's newest, so they are dropped here. The prune job
 * deletes documents that no longer hold any of a track's newest entries. How the lists are
 * stored is the adapter's choice (src/readModels/recentActivity.ts).
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

/** One batch's newest entries of one track. */
export type RecentActivity = {
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

const canonical = (at: string) => at.length === 24 && at.charCodeAt(23) === 90; // ...Z

/** Newer first: by occurredAt (canonical ISO strings compare like their instants), then id. */
const newer = (a: TrackEvent, b: TrackEvent) => {
  const sa = a.data.occurredAt;
  const sb = b.data.occurredAt;
  if (sa === sb) return a.id < b.id;
  if (canonical(sa) && canonical(sb)) return sa > sb;
  const ta = Date.parse(sa);
  const tb = Date.parse(sb);
  return ta !== tb ? ta > tb : a.id < b.id;
};

/** Inserts `e` into `list` (newest first) if it is among the `keep` newest. */
export function keepNewest(list: TrackEvent[], e: TrackEvent, keep: number): void {
  if (list.length >= keep && !newer(e, list[list.length - 1]!)) return;
  let i = list.length;
  while (i > 0 && newer(e, list[i - 1]!)) i--;
  list.splice(i, 0, e);
  if (list.length > keep) list.pop();
}

/** What a recent like holds; a recent play adds the play's details. */
export const recentLike = (e: TrackEvent): RecentLike => {
  const d = e.data as StoredEventData<'TrackLiked'>;
  return {
    eventId: e.id,
    trackId: d.trackId,
    at: new Date(d.occurredAt),
    listenerId: d.listenerId,
  };
};
export const recentPlay = (e: TrackEvent): RecentPlay => {
  const d = e.data as StoredEventData<'TrackPlayed'>;
  return {
    ...recentLike(e),
    source: d.source,
    durationSeconds: d.durationSeconds,
    completionRate: d.completionRate,
  };
};

export const recentActivity: Projection = {
  name: 'recentActivity',
  version: 2,
  canHandle: ['TrackPlayed', 'TrackLiked'],
  collections: [recentActivityCollection],
  indexes: [
    { collection: recentActivityCollection, keys: { trackId: 1, lastPlayAt: -1 } },
    { collection: recentActivityCollection, keys: { trackId: 1, lastLikeAt: -1 } },
  ],
  project(events: readonly TrackEvent[]): ReadModelOp[] {
    if (events.length === 0) return [];
    const pos = Number(events[events.length - 1]!.position);
    // Only each track's newest few events of the batch are kept (no object per event).
    const perTrack = new Map<string, { plays: TrackEvent[]; likes: TrackEvent[] }>();
    for (const e of events) {
      let t = perTrack.get(e.data.trackId);
      if (!t) perTrack.set(e.data.trackId, (t = { plays: [], likes: [] }));
      if (e.type === 'TrackPlayed') keepNewest(t.plays, e, recentPlaysKept);
      else if (e.type === 'TrackLiked') keepNewest(t.likes, e, recentLikesKept);
    }
    return [...perTrack].map(([trackId, t]) => {
      const plays = newest(t.plays.map(recentPlay), recentPlaysKept);
      const likes = newest(t.likes.map(recentLike), recentLikesKept);
      const doc: RecentActivity = {
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
