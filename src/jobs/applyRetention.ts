import type { Db } from 'mongodb';
import {
  foldCounters,
  trackCatalogCollection,
  trackCounters,
  trackCountersCollection,
  type TrackCountersDoc,
} from '../../projections/trackCounters';
import { trackStream } from '../events/stored';
import type { EventStore } from '../eventstore/eventStore';
import { loadPointer, physicalName } from '../readModels/pointers';

export type RetentionReport = { streams: number; updated: number; maxAgeSeconds: number };

/**
 * Raw-data retention: sets `$maxAge` in each track stream's metadata (`$$track-<id>`), so the
 * event store stops serving (and its scavenge removes) events older than the policy. Rollups
 * in MongoDB are kept. Idempotent: a stream whose metadata already says this maxAge is left
 * alone, so running twice (or on two instances) appends at most one metadata event per stream.
 * Note: after retention a rebuild can only rebuild what the log still holds.
 */
export async function applyRetention(
  db: Db,
  store: EventStore,
  maxAgeDays: number,
): Promise<RetentionReport> {
  const maxAgeSeconds = Math.round(maxAgeDays * 86_400);
  const generation = (await loadPointer(db, trackCounters.name))?.generation ?? 0;
  const counted = foldCounters(
    await db
      .collection<TrackCountersDoc>(physicalName(trackCountersCollection, generation))
      .find({})
      .toArray(),
  );
  const catalog = await db
    .collection<{ _id: string }>(physicalName(trackCatalogCollection, generation))
    .find({}, { projection: { _id: 1 } })
    .toArray();
  const tracks = [...new Set([...counted.keys(), ...catalog.map((d) => d._id)])].sort();
  let updated = 0;
  for (const trackId of tracks) {
    const metaStream = `$$${trackStream(trackId)}`;
    let current: Record<string, unknown> | undefined;
    for await (const e of store.readStream(metaStream, { backwards: true, maxCount: 1 })) {
      current = e.data as Record<string, unknown>;
    }
    if (current?.$maxAge === maxAgeSeconds) continue;
    const outcome = await store.append(metaStream, [
      { id: crypto.randomUUID(), type: '$metadata', data: { ...current, $maxAge: maxAgeSeconds } },
    ]);
    if (outcome.ok) updated++;
  }
  return { streams: tracks.length, updated, maxAgeSeconds };
}
