import type { Db } from 'mongodb';
import { trackCountersCollection, type TrackCountersDoc } from '../../projections/trackCounters';
import type { CatalogEntry } from '../ingestion/catalogCache';

/** Catalog fields of some tracks, as projected into the track counters read model. */
export async function catalogEntries(
  db: Db,
  trackIds: string[],
): Promise<Map<string, CatalogEntry>> {
  const docs = await db
    .collection<TrackCountersDoc>(trackCountersCollection)
    .find(
      { _id: { $in: trackIds }, artistId: { $exists: true } },
      { projection: { artistId: 1, title: 1, durationSeconds: 1 } },
    )
    .toArray();
  const found = new Map<string, CatalogEntry>();
  for (const d of docs) {
    if (d.artistId === undefined) continue;
    found.set(d._id, {
      artistId: d.artistId,
      title: d.title ?? '',
      ...(d.durationSeconds !== undefined ? { durationSeconds: d.durationSeconds } : {}),
    });
  }
  return found;
}
