import type { Db } from 'mongodb';
import { encodeKey } from '../../projections/lib/rollupStats';
import {
  counterFields,
  counterShardOf,
  foldCounters,
  trackCatalogCollection,
  trackCounters,
  trackCountersCollection,
  type TrackCatalogDoc,
  type TrackCounts,
  type TrackCountersDoc,
} from '../../projections/trackCounters';
import { checkpointStore } from './checkpointStore';
import { readModelResolver, type ReadModelResolver } from './pointers';

/** One track: catalog fields (absent before its catalog event) and all-time counters. */
export type TrackCountersView = {
  trackId: string;
  artistId?: string;
  title?: string;
  durationSeconds?: number;
  playCount: number;
  skipCount: number;
  /** Net: likes minus unlikes. */
  likeCount: number;
  /** Net: saves minus unsaves. */
  saveCount: number;
  shareCount: number;
  downloadCount: number;
  firstEventAt?: string;
  lastEventAt?: string;
};

export type TrackCountersQuery =
  /** These tracks (those with neither a catalog event nor a counted fact are left out). */
  | { trackIds: readonly string[] }
  /** Every track whose catalog names this artist, sorted by track id. */
  | { artistId: string };

const resolvers = new WeakMap<Db, ReadModelResolver>();
const resolverOf = (db: Db) => {
  let r = resolvers.get(db);
  if (!r) resolvers.set(db, (r = readModelResolver(db, 1000)));
  return r;
};

/** Beyond this many tracks the counter documents are read whole rather than field by field. */
const FIELD_PROJECTION_MAX = 64;

/**
 * The one way to read track counters and catalog fields (docs/READ-MODELS.md). Follows
 * generation swaps (pointers, cached 1 s). Reads: the catalog (`track_catalog`, small), then
 * — unless `counters: false` (catalog fields only, counters 0) — the counters checkpoint and
 * the counter documents of the tracks' shards, folded exactly at that checkpoint.
 */
export async function readTrackCounters(
  db: Db,
  query: TrackCountersQuery,
  options: { counters?: boolean } = {},
): Promise<TrackCountersView[]> {
  const resolver = resolverOf(db);
  const catalogName = await resolver.collection(trackCatalogCollection);
  const catalog = await db
    .collection<TrackCatalogDoc>(catalogName)
    .find(
      'artistId' in query ? { artistId: query.artistId } : { _id: { $in: [...query.trackIds] } },
    )
    .toArray();
  const byId = new Map(catalog.map((d) => [d._id, d]));
  const trackIds =
    'artistId' in query ? catalog.map((d) => d._id).sort() : [...new Set(query.trackIds)];
  const counts =
    options.counters === false || trackIds.length === 0
      ? new Map<string, TrackCounts>()
      : await readCounts(db, resolver, trackIds);
  const views: TrackCountersView[] = [];
  for (const trackId of trackIds) {
    const cat = byId.get(trackId);
    const c = counts.get(trackId);
    if (!cat && !c) continue;
    const view: TrackCountersView = {
      trackId,
      ...(cat ? { artistId: cat.artistId, title: cat.title } : {}),
      ...(cat?.durationSeconds !== undefined ? { durationSeconds: cat.durationSeconds } : {}),
      playCount: 0,
      skipCount: 0,
      likeCount: 0,
      saveCount: 0,
      shareCount: 0,
      downloadCount: 0,
    };
    for (const f of counterFields) view[f] = c?.[f] ?? 0;
    if (c?.firstEventAt) view.firstEventAt = c.firstEventAt;
    if (c?.lastEventAt) view.lastEventAt = c.lastEventAt;
    views.push(view);
  }
  return views;
}

async function readCounts(
  db: Db,
  resolver: ReadModelResolver,
  trackIds: readonly string[],
): Promise<Map<string, TrackCounts>> {
  // Checkpoint first: every delta with pos ≤ it was written before it was stored.
  const checkpointId = await resolver.checkpointId(trackCountersCollection, trackCounters.name);
  const checkpoint = await checkpointStore(db).load(checkpointId);
  const name = await resolver.collection(trackCountersCollection);
  const shards = [...new Set(trackIds.map(counterShardOf))];
  const projection =
    trackIds.length <= FIELD_PROJECTION_MAX
      ? {
          kind: 1,
          shard: 1,
          pos: 1,
          upTo: 1,
          ...Object.fromEntries(trackIds.map((id) => [`tracks.${encodeKey(id)}`, 1])),
        }
      : undefined;
  const docs = await db
    .collection<TrackCountersDoc>(name)
    .find({ shard: { $in: shards } }, projection ? { projection } : {})
    .toArray();
  const all = foldCounters(docs, Number(checkpoint.position));
  const wanted = new Set(trackIds);
  return new Map([...all].filter(([id]) => wanted.has(id)));
}
