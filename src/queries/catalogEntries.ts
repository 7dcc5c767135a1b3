import type { Db } from 'mongodb';
import type { CatalogEntry } from '../ingestion/catalogCache';
import { readTrackCounters } from '../readModels/trackCounters';

/** Catalog fields of some tracks, as projected into the catalog read model. */
export async function catalogEntries(
  db: Db,
  trackIds: string[],
): Promise<Map<string, CatalogEntry>> {
  const docs = await readTrackCounters(db, { trackIds }, { counters: false });
  const found = new Map<string, CatalogEntry>();
  for (const d of docs) {
    if (d.artistId === undefined) continue;
    found.set(d.trackId, {
      artistId: d.artistId,
      title: d.title ?? '',
      ...(d.durationSeconds !== undefined ? { durationSeconds: d.durationSeconds } : {}),
    });
  }
  return found;
}
