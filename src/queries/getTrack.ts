import type { Db } from 'mongodb';
import { readTrackCounters } from '../readModels/trackCounters';
import { NotFoundError } from '../errors';

export type TrackDto = {
  trackId: string;
  artistId: string | null;
  title: string | null;
  durationSeconds: number | null;
  playCount: number;
  skipCount: number;
  /** Net: likes minus unlikes. */
  likeCount: number;
  /** Net: saves minus unsaves. */
  saveCount: number;
  shareCount: number;
  downloadCount: number;
  firstEventAt: string | null;
  lastEventAt: string | null;
};

/** Public counters and catalog fields of one track (`readTrackCounters`, docs/READ-MODELS.md). */
export async function getTrack(db: Db, trackId: string): Promise<TrackDto> {
  const [doc] = await readTrackCounters(db, { trackIds: [trackId] });
  if (!doc) throw new NotFoundError(`track ${trackId} not found`);
  return {
    trackId,
    artistId: doc.artistId ?? null,
    title: doc.title ?? null,
    durationSeconds: doc.durationSeconds ?? null,
    playCount: doc.playCount ?? 0,
    skipCount: doc.skipCount ?? 0,
    likeCount: doc.likeCount ?? 0,
    saveCount: doc.saveCount ?? 0,
    shareCount: doc.shareCount ?? 0,
    downloadCount: doc.downloadCount ?? 0,
    firstEventAt: doc.firstEventAt ?? null,
    lastEventAt: doc.lastEventAt ?? null,
  };
}
