import type { IngestionEvent } from '../events/ingestion';
import type { StoredEventData, StoredEventType } from '../events/stored';

export type ListenerContext = {
  /** Authenticated user id (verified token subject), when the request had one. */
  userId?: string;
  userAgent?: string;
  ipHash?: string;
  receivedAt: Date;
  /** `receivedAt.toISOString()`, computed once per request rather than per event. */
  receivedAtIso?: string;
  /** Moves a client timestamp onto the server's clock (skew correction and clamping). */
  correctTime: (clientTime: Date) => Date;
};

export type Catalog = (trackId: string) => { durationSeconds?: number } | undefined;

export type DecidedEvent = { id: string; type: StoredEventType; data: StoredEventData };

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Decides the fact one accepted ingestion event becomes. Pure: the clock, the identity and the
 * catalog come in through `ctx` and `catalog`.
 */
export function toStoredEvent(
  event: IngestionEvent,
  ctx: ListenerContext,
  options: { skipThresholdSeconds: number; catalog?: Catalog },
): DecidedEvent {
  // Built by assignment, not by spreading conditional objects: this runs for every event.
  const common: Record<string, unknown> = {
    trackId: event.trackId,
    listenerId: ctx.userId ?? event.anonymousId ?? event.sessionId,
    sessionId: event.sessionId,
    occurredAt: ctx.correctTime(new Date(event.timestamp)).toISOString(),
    receivedAt: ctx.receivedAtIso ?? ctx.receivedAt.toISOString(),
  };
  if (ctx.userAgent !== undefined) common.userAgent = ctx.userAgent;
  if (ctx.ipHash !== undefined) common.ipHash = ctx.ipHash;
  const data = common as StoredEventData;
  switch (event.type) {
    case 'play': {
      const known = options.catalog?.(event.trackId)?.durationSeconds;
      const completionRate =
        known !== undefined && known > 0
          ? clamp((event.duration / known) * 100, 0, 100)
          : clamp(event.completionRate ?? 0, 0, 100);
      common.source = event.source;
      if (event.playlistId !== undefined) common.playlistId = event.playlistId;
      common.durationSeconds = event.duration;
      common.completionRate = round2(completionRate);
      common.replayed = event.replayed;
      const skipped = event.duration < options.skipThresholdSeconds;
      return { id: event.id, type: skipped ? 'TrackSkipped' : 'TrackPlayed', data };
    }
    case 'like':
      if (event.source) common.source = event.source;
      return {
        id: event.id,
        type: event.action === 'unlike' ? 'TrackUnliked' : 'TrackLiked',
        data,
      };
    case 'save':
      common.playlistId = event.playlistId;
      return {
        id: event.id,
        type: event.action === 'unsave' ? 'TrackUnsaved' : 'TrackSaved',
        data,
      };
    case 'share':
      common.platform = event.platform;
      if (event.source) common.source = event.source;
      return { id: event.id, type: 'TrackShared', data };
    case 'download':
      if (event.source) common.source = event.source;
      return { id: event.id, type: 'TrackDownloaded', data };
  }
}
