import { createContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { PlaySource } from '../../src/events/ingestion';
import { StatsCollector, type StatsCollectorOptions, type TrackEvent } from '../core';
import { PlayClock } from './playClock';

export interface StatsContextValue {
  /** Queues an event; before the collector exists (first effects) it is buffered, and undefined returned. */
  track: (event: TrackEvent) => string | undefined;
  clock: PlayClock;
  source?: PlaySource;
  playlistId?: string;
  skipThresholdSeconds: number;
}

export const StatsContext = createContext<StatsContextValue | null>(null);

export type StatsProviderProps = (
  | { /** A collector you own (and shut down). */ collector: StatsCollector; options?: never }
  | {
      /** Read once on mount; remount (change `key`) to apply new options. */ options: StatsCollectorOptions;
      collector?: never;
    }
) & {
  /** Default `source` for events from this subtree. */
  source?: PlaySource;
  /** Default `playlistId` for plays and saves from this subtree. */
  playlistId?: string;
  /** A play shorter than this is reported as `skipped`. @defaultValue 20 (the server's default) */
  skipThresholdSeconds?: number;
  children?: ReactNode;
};

/**
 * Provides a collector to `useStats()`. Given `options`, it creates the collector after mount and
 * shuts it down (beaconing the queue) on unmount; StrictMode's mount/unmount/mount keeps the same
 * collector. On `pagehide` every running play is ended and tracked, so closing the tab mid-song
 * still reports the listening time.
 */
export function StatsProvider(props: StatsProviderProps) {
  const { collector: given, skipThresholdSeconds = 20, source, playlistId, children } = props;
  const options = useRef(props.options);
  const ref = useRef<{ collector: StatsCollector; stop?: ReturnType<typeof setTimeout> }>(
    undefined,
  );
  const live = useRef<StatsCollector | undefined>(given);
  const pending = useRef<TrackEvent[]>([]);
  const [clock] = useState(() => new PlayClock());

  useEffect(() => {
    const endPlays = () => {
      for (const id of clock.running()) {
        const play = clock.end(id, skipThresholdSeconds);
        if (play) live.current?.track({ type: 'play', trackId: id, ...play });
      }
      void live.current?.flush(); // small sends use keepalive, so they outlive the page
    };
    // Runs before or after the collector's own unload listener: either way the plays go out,
    // in its beacon or in the keepalive flush above.
    addEventListener('pagehide', endPlays);
    let owned: typeof ref.current;
    if (!given) {
      owned = ref.current ??= {
        collector: new StatsCollector(options.current as StatsCollectorOptions),
      };
      clearTimeout(owned.stop);
    }
    const collector = (live.current = given ?? owned?.collector);
    for (const event of pending.current.splice(0)) collector?.track(event);
    return () => {
      removeEventListener('pagehide', endPlays);
      // StrictMode remounts at once: shut down only if no remount follows.
      if (owned) {
        owned.stop = setTimeout(() => {
          ref.current = undefined;
          owned.collector.shutdown();
        });
      }
    };
  }, [given, clock, skipThresholdSeconds]);

  const [track] = useState(() => (event: TrackEvent) => {
    if (live.current) return live.current.track(event);
    pending.current.push(event);
    return undefined;
  });
  const value = useMemo<StatsContextValue>(
    () => ({ track, clock, source, playlistId, skipThresholdSeconds }),
    [track, clock, source, playlistId, skipThresholdSeconds],
  );
  return <StatsContext.Provider value={value}>{children}</StatsContext.Provider>;
}
