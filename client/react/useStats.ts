import { useContext, useMemo } from 'react';
import type { PlaySource, SharePlatform } from '../../src/events/ingestion';
import type { PlayStartInfo } from './playClock';
import { StatsContext } from './StatsProvider';

/** Per-component context; each field overrides the provider's. */
export interface StatsScope {
  source?: PlaySource;
  playlistId?: string;
}

/**
 * Tracking functions bound to the nearest `<StatsProvider>`. Each returns the event id, or
 * undefined when nothing was queued (a play that was not started, or an event tracked before
 * the provider's collector exists, which is buffered and sent once it does).
 * @throws Error outside a `<StatsProvider>`.
 */
export function useStats(scope: StatsScope = {}) {
  const ctx = useContext(StatsContext);
  if (!ctx) throw new Error('useStats() must be used inside <StatsProvider>');
  const source = scope.source ?? ctx.source;
  const playlistId = scope.playlistId ?? ctx.playlistId;
  return useMemo(() => {
    const { track, clock, skipThresholdSeconds } = ctx;
    return {
      /**
       * Starts measuring a play (source and playlist are taken now), or resumes it if paused.
       * Starting a running track restarts it, discarding the measurement so far.
       */
      trackPlayStart: (trackId: string, info: PlayStartInfo = {}) =>
        clock.start(trackId, { source, playlistId, ...info }),
      /** Pauses the play's clock: paused time is not listening time. */
      trackPlayPause: (trackId: string) => clock.pause(trackId),
      trackPlayResume: (trackId: string) => clock.resume(trackId),
      /** Ends the play and queues it with the measured duration, completion and skip flag; undefined if never started. */
      trackPlayEnd: (trackId: string) => {
        const play = clock.end(trackId, skipThresholdSeconds);
        return play && track({ type: 'play', trackId, ...play });
      },
      trackLike: (trackId: string, liked = true) =>
        track({ type: 'like', trackId, action: liked ? 'like' : 'unlike', source }),
      /** Saves to (or removes from, with `saved = false`) a playlist: the given one, else the scope's. */
      trackSave: (trackId: string, options: { playlistId?: string; saved?: boolean } = {}) => {
        const target = options.playlistId ?? playlistId;
        if (!target) throw new Error('trackSave needs a playlistId (argument or scope)');
        return track({
          type: 'save',
          trackId,
          playlistId: target,
          action: options.saved === false ? 'unsave' : 'save',
        });
      },
      trackShare: (trackId: string, platform: SharePlatform) =>
        track({ type: 'share', trackId, platform, source }),
      trackDownload: (trackId: string) => track({ type: 'download', trackId, source }),
    };
  }, [ctx, source, playlistId]);
}
