import type { TrackEvent } from '../src/events/stored';
import type { Projection, UpsertOp } from './types';

/** Per-track counters plus catalog fields: what `GET /api/tracks/:id` answers with one read. */
export const trackCountersCollection = 'track_counters';

export type TrackCountersDoc = {
  _id: string;
  playCount: number;
  skipCount: number;
  likeCount: number;
  saveCount: number;
  shareCount: number;
  downloadCount: number;
  artistId?: string;
  title?: string;
  durationSeconds?: number;
  firstEventAt?: string;
  lastEventAt?: string;
};

/** Which counter each fact moves, and by how much (also used by reconciliation). */
export const counterOf: Partial<Record<TrackEvent['type'], [keyof TrackCountersDoc, number]>> = {
  TrackPlayed: ['playCount', 1],
  TrackSkipped: ['skipCount', 1],
  TrackLiked: ['likeCount', 1],
  TrackUnliked: ['likeCount', -1],
  TrackSaved: ['saveCount', 1],
  TrackUnsaved: ['saveCount', -1],
  TrackShared: ['shareCount', 1],
  TrackDownloaded: ['downloadCount', 1],
};

const zeroCounters = {
  playCount: 0,
  skipCount: 0,
  likeCount: 0,
  saveCount: 0,
  shareCount: 0,
  downloadCount: 0,
};

export const trackCounters: Projection = {
  name: 'trackCounters',
  version: 1,
  canHandle: [
    ...(Object.keys(counterOf) as TrackEvent['type'][]),
    'TrackRegistered',
    'TrackUpdated',
  ],
  collections: [trackCountersCollection],
  indexes: [{ collection: trackCountersCollection, keys: { artistId: 1 } }],
  project(events): UpsertOp[] {
    const ops = new Map<string, Required<Pick<UpsertOp, 'inc' | 'set' | 'max' | 'min'>>>();
    for (const event of events) {
      const id = event.data.trackId;
      let op = ops.get(id);
      if (!op) ops.set(id, (op = { inc: {}, set: {}, max: {}, min: {} }));
      const counter = counterOf[event.type];
      if (counter) {
        const [field, delta] = counter;
        op.inc[field] = (op.inc[field] ?? 0) + delta;
        const at = event.data.occurredAt;
        if (!op.max.lastEventAt || at > (op.max.lastEventAt as string)) op.max.lastEventAt = at;
        if (!op.min.firstEventAt || at < (op.min.firstEventAt as string)) op.min.firstEventAt = at;
      } else if (event.type === 'TrackRegistered' || event.type === 'TrackUpdated') {
        op.set.artistId = event.data.artistId;
        op.set.title = event.data.title;
        if (event.data.durationSeconds !== undefined) {
          op.set.durationSeconds = event.data.durationSeconds;
        }
      }
    }
    return [...ops].map(([id, op]) => {
      const setOnInsert = Object.fromEntries(
        Object.entries(zeroCounters).filter(([k]) => !(k in op.inc)),
      );
      return {
        collection: trackCountersCollection,
        id,
        inc: op.inc,
        set: op.set,
        max: op.max,
        min: op.min,
        setOnInsert,
      };
    });
  },
};
