import type { TrackEvent } from '../src/events/stored';
import { decodeKey, encodeKey } from './lib/rollupStats';
import type { Projection, ReadModelOp } from './types';

/**
 * All-time counters per track, written as insert-only *deltas* (FerretDB inserts ~16x faster
 * than it updates, and its update cost grows with the collection): each batch inserts one
 * document per counter *shard* it touched, holding that batch's counts of every touched track
 * of the shard. Ids come from log positions, so a replayed batch collides with its own earlier
 * insert and is skipped. The compaction job folds deltas into one `compacted` document per
 * shard. Readers fold with `foldCounters` (or use `readTrackCounters`, src/projector).
 */
export const trackCountersCollection = 'track_counters';

/**
 * Catalog fields per track (`_id` = trackId), written only on catalog events (`TrackRegistered`,
 * `TrackUpdated`; a put: insert, or `$set` if it exists): small, so `find({ artistId })` is cheap even where the
 * server scans (FerretDB).
 */
export const trackCatalogCollection = 'track_catalog';

/**
 * Tracks are spread over this many shards (`counterShardOf`); a batch writes at most this many
 * counter documents. Changing it changes the documents: bump the projection's version and
 * rebuild.
 */
export const counterShards = 16;

export type CounterField =
  'playCount' | 'skipCount' | 'likeCount' | 'saveCount' | 'shareCount' | 'downloadCount';

/** One track's counters (or a delta of them: absent = 0 / unknown). */
export type TrackCounts = Partial<Record<CounterField, number>> & {
  firstEventAt?: string;
  lastEventAt?: string;
};

export type TrackCountersDoc = {
  /** delta: `d|<shard>|<pos>`; compacted: `c|<shard>|<upTo>`; repair: `r|<shard>|<pos>|<tag>`. */
  _id: string;
  kind: 'delta' | 'compacted';
  shard: number;
  /** delta only: commit position of the batch's last event (or the repair's checkpoint). */
  pos?: number;
  /** compacted only: every delta of this shard with `pos` ≤ `upTo` is merged in. */
  upTo?: number;
  /** Counts by track id, escaped with `encodeKey`. */
  tracks: Record<string, TrackCounts>;
};

export type TrackCatalogDoc = {
  _id: string;
  artistId: string;
  title: string;
  durationSeconds?: number;
};

export const counterFields: readonly CounterField[] = [
  'playCount',
  'skipCount',
  'likeCount',
  'saveCount',
  'shareCount',
  'downloadCount',
];

/** Which counter each fact moves, and by how much (also used by reconciliation). */
export const counterOf: Partial<Record<TrackEvent['type'], [CounterField, number]>> = {
  TrackPlayed: ['playCount', 1],
  TrackSkipped: ['skipCount', 1],
  TrackLiked: ['likeCount', 1],
  TrackUnliked: ['likeCount', -1],
  TrackSaved: ['saveCount', 1],
  TrackUnsaved: ['saveCount', -1],
  TrackShared: ['shareCount', 1],
  TrackDownloaded: ['downloadCount', 1],
};

/** FNV-1a of the track id, modulo `counterShards`. Stable across versions and platforms. */
export function counterShardOf(trackId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < trackId.length; i++) {
    h ^= trackId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % counterShards;
}

export const counterDeltaId = (shard: number, pos: number | bigint): string => `d|${shard}|${pos}`;
export const counterCompactedId = (shard: number, upTo: number): string => `c|${shard}|${upTo}`;

/** `a` + `b`: counts add (a zero sum is left out), first/last event times take the min/max. */
export function addCounts(a: TrackCounts, b: TrackCounts): TrackCounts {
  const out: TrackCounts = { ...a };
  for (const f of counterFields) {
    const v = b[f];
    if (!v) continue;
    const sum = (out[f] ?? 0) + v;
    if (sum) out[f] = sum;
    else delete out[f];
  }
  if (b.firstEventAt && (!out.firstEventAt || b.firstEventAt < out.firstEventAt))
    out.firstEventAt = b.firstEventAt;
  if (b.lastEventAt && (!out.lastEventAt || b.lastEventAt > out.lastEventAt))
    out.lastEventAt = b.lastEventAt;
  return out;
}

/**
 * Folds counter documents (any shards, any order) into counts per track, reading exactly the
 * events with position ≤ `checkpoint`: per shard, the newest compacted version plus the deltas
 * with `upTo < pos ≤ checkpoint`. Deltas already compacted (a crash between the compaction's
 * insert and its delete leaves them behind) and deltas of a batch not yet checkpointed are
 * ignored. Only tracks that appear in some document are in the result.
 */
export function foldCounters(
  docs: readonly Pick<TrackCountersDoc, 'kind' | 'shard' | 'pos' | 'upTo' | 'tracks'>[],
  checkpoint: number = Number.MAX_SAFE_INTEGER,
): Map<string, TrackCounts> {
  const newest = new Map<number, number>();
  for (const d of docs)
    if (d.kind === 'compacted' && (d.upTo ?? 0) > (newest.get(d.shard) ?? -1))
      newest.set(d.shard, d.upTo ?? 0);
  const out = new Map<string, TrackCounts>();
  for (const d of docs) {
    const upTo = newest.get(d.shard);
    const counted =
      d.kind === 'compacted'
        ? d.upTo === upTo
        : d.pos! <= checkpoint && (upTo === undefined || d.pos! > upTo);
    if (!counted) continue;
    for (const [key, counts] of Object.entries(d.tracks ?? {})) {
      const id = decodeKey(key);
      out.set(id, addCounts(out.get(id) ?? {}, counts));
    }
  }
  return out;
}

type CatalogFields = Omit<TrackCatalogDoc, '_id' | '_pos'>;

export const trackCounters: Projection = {
  name: 'trackCounters',
  version: 2,
  canHandle: [
    ...(Object.keys(counterOf) as TrackEvent['type'][]),
    'TrackRegistered',
    'TrackUpdated',
  ],
  collections: [trackCountersCollection, trackCatalogCollection],
  indexes: [
    { collection: trackCountersCollection, keys: { shard: 1 } },
    { collection: trackCatalogCollection, keys: { artistId: 1 } },
  ],
  project(events): ReadModelOp[] {
    const shards = new Map<number, Map<string, TrackCounts>>();
    const catalog = new Map<string, CatalogFields>();
    let pos = 0;
    for (const event of events) {
      const id = event.data.trackId;
      const counter = counterOf[event.type];
      if (counter) {
        pos = Math.max(pos, Number(event.position));
        const shard = counterShardOf(id);
        let tracks = shards.get(shard);
        if (!tracks) shards.set(shard, (tracks = new Map()));
        let c = tracks.get(id);
        if (!c) tracks.set(id, (c = {}));
        const [field, delta] = counter;
        c[field] = (c[field] ?? 0) + delta;
        const at = event.data.occurredAt;
        if (!c.lastEventAt || at > c.lastEventAt) c.lastEventAt = at;
        if (!c.firstEventAt || at < c.firstEventAt) c.firstEventAt = at;
      } else if (event.type === 'TrackRegistered' || event.type === 'TrackUpdated') {
        catalog.set(id, {
          artistId: event.data.artistId,
          title: event.data.title,
          ...(event.data.durationSeconds !== undefined
            ? { durationSeconds: event.data.durationSeconds }
            : {}),
        });
      }
    }
    const ops: ReadModelOp[] = [];
    for (const [shard, tracks] of shards) {
      const doc: Omit<TrackCountersDoc, '_id'> = {
        kind: 'delta',
        shard,
        pos,
        tracks: Object.fromEntries([...tracks].map(([id, c]) => [encodeKey(id), addCounts({}, c)])),
      };
      ops.push({
        collection: trackCountersCollection,
        id: counterDeltaId(shard, pos),
        insert: doc,
      });
    }
    for (const [id, fields] of catalog) {
      ops.push({ collection: trackCatalogCollection, id, put: fields });
    }
    return ops;
  },
};
