import type { RecentActivity, RecentLike, RecentPlay } from '../../projections/recentActivity';
import type { DocumentCodec } from './documentCodecs';
import { reviveRecentList } from './rollups/packing';

/**
 * A `recent_activity` document as stored: the lists as JSON strings. FerretDB stored the
 * arrays of objects at 3x the CPU (9.3 vs 3.3 µs per event while catching up); version 1's
 * documents held them as arrays (`plays`, `likes`), which `decodeRecentActivity` still reads.
 * `trackId`, `lastPlayAt` and `lastLikeAt` stay plain fields: the indexes and the prune job
 * use them.
 */
export type RecentActivityDoc = Omit<RecentActivity, 'plays' | 'likes'> & {
  /** `RecentPlay[]` as JSON, newest first. */
  playsJson: string;
  /** `RecentLike[]` as JSON, newest first. */
  likesJson: string;
};

/** The stored form (`id`: the op's, which the projection derives from `_id`). */
export function encodeRecentActivity(a: RecentActivity, id = a._id): RecentActivityDoc {
  const doc: RecentActivityDoc = {
    _id: id,
    trackId: a.trackId,
    pos: a.pos,
    playsJson: JSON.stringify(a.plays),
    likesJson: JSON.stringify(a.likes),
  };
  if (a.lastPlayAt) doc.lastPlayAt = a.lastPlayAt;
  if (a.lastLikeAt) doc.lastLikeAt = a.lastLikeAt;
  return doc;
}

/** A stored document (version 2's strings, or version 1's arrays) back, `at` as Dates. */
export function decodeRecentActivity(
  doc: Omit<RecentActivity, 'plays' | 'likes'> &
    Partial<Pick<RecentActivityDoc, 'playsJson' | 'likesJson'>> &
    Partial<Pick<RecentActivity, 'plays' | 'likes'>>,
): RecentActivity {
  const { playsJson, likesJson, plays, likes, ...rest } = doc;
  return {
    ...rest,
    plays: reviveRecentList(plays ?? (JSON.parse(playsJson ?? '[]') as RecentPlay[])),
    likes: reviveRecentList(likes ?? (JSON.parse(likesJson ?? '[]') as RecentLike[])),
  };
}

export const recentActivityCodec: DocumentCodec = {
  encode: (doc, id) => encodeRecentActivity(doc as RecentActivity, id),
  decode: (stored) => decodeRecentActivity(stored as RecentActivityDoc),
};
