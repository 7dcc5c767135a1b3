import type { StoredEventData, StoredEventType, TrackEvent } from '../../src/events/stored';

let position = 100n;

/** Builds a stored event for pure tests; positions increase along the calls. */
export function trackEvent<T extends StoredEventType>(
  type: T,
  data: Partial<StoredEventData<T>> & { trackId: string },
): TrackEvent {
  position += 10n;
  const listener = {
    listenerId: 'listener-1',
    sessionId: 'session-1',
    occurredAt: '2026-01-05T10:00:00.000Z',
    receivedAt: '2026-01-05T10:00:01.000Z',
  };
  const play = { source: 'direct', durationSeconds: 120, completionRate: 50, replayed: false };
  const base =
    type === 'TrackRegistered' || type === 'TrackUpdated'
      ? { artistId: 'artist-1', title: 'Song', occurredAt: listener.occurredAt }
      : type === 'TrackPlayed' || type === 'TrackSkipped'
        ? { ...listener, ...play }
        : type === 'TrackSaved' || type === 'TrackUnsaved'
          ? { ...listener, playlistId: 'pl-1' }
          : type === 'TrackShared'
            ? { ...listener, platform: 'twitter' }
            : listener;
  return {
    type,
    id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
    data: { ...base, ...data },
    revision: 0n,
    position,
  } as TrackEvent;
}
