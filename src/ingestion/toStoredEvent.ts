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
  const common = {
    trackId: event.trackId,
    listenerId: ctx.userId ?? event.anonymousId ?? event.sessionId,
    sessionId: event.sessionId,
    occurredAt: ctx.correctTime(new Date(event.timestamp)).toISOString(),
    receivedAt: ctx.receivedAtIso ?? ctx.receivedAt.toISOString(),
    ...(ctx.userAgent !== undefined ? { userAgent: ctx.userAgent } : {}),
    ...(ctx.ipHash !== undefined ? { ipHash: ctx.ipHash } : {}),
  };
  switch (event.type) {
    case 'play': {
      const known = options.catalog?.(event.trackId)?.durationSeconds;
      const completionRate =
        known !== undefined && known > 0
          ? clamp((event.duration / known) * 100, 0, 100)
          : clamp(event.completionRate ?? 0, 0, 100);
      const skipped = event.duration < options.skipThresholdSeconds;
      return {
        id: event.id,
        type: skipped ? 'TrackSkipped' : 'TrackPlayed',
        data: {
          ...common,
          source: event.source,
          ...(event.playlistId !== undefined ? { playlistId: event.playlistId } : {}),
          durationSeconds: event.duration,
          completionRate: round2(completionRate),
          replayed: event.replayed,
        },
      };
    }
    case 'like':
      return {
        id: event.id,
        type: event.action === 'unlike' ? 'TrackUnliked' : 'TrackLiked',
        data: { ...common, ...(event.source ? { source: event.source } : {}) },
      };
    case 'save':
      return {
        id: event.id,
        type: event.action === 'unsave' ? 'TrackUnsaved' : 'TrackSaved',
        data: { ...common, playlistId: event.playlistId },
      };
    case 'share':
      return {
        id: event.id,
        type: 'TrackShared',
        data: {
          ...common,
          platform: event.platform,
          ...(event.source ? { source: event.source } : {}),
        },
      };
    case 'download':
      return {
        id: event.id,
        type: 'TrackDownloaded',
        data: { ...common, ...(event.source ? { source: event.source } : {}) },
      };
  }
}
