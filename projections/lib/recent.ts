import type { StoredEventData, TrackEvent } from '../../src/events/stored';

/**
 * A track's recent plays and likes: what an entry holds, how many are kept, and which are the
 * newest. trackRollups keeps each track's newest entries in its hour partitions (the `recent`
 * part of a delta); the queries merge them across partitions and tracks with `newest`.
 */
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
  // Written out rather than spread from recentLike: built for each kept play of every batch.
  return {
    eventId: e.id,
    trackId: d.trackId,
    at: new Date(d.occurredAt),
    listenerId: d.listenerId,
    source: d.source,
    durationSeconds: d.durationSeconds,
    completionRate: d.completionRate,
  };
};
