import type { PlaySource } from '../../src/events/ingestion';

/** What a play started with, reported again when it ends. */
export interface PlayStartInfo {
  /** The track's length in seconds; when known, `completionRate` is measured against it. */
  lengthSeconds?: number;
  replayed?: boolean;
  source?: PlaySource;
  playlistId?: string;
}

/** The measured part of a play event. */
export interface MeasuredPlay {
  duration: number;
  completionRate?: number;
  skipped: boolean;
  replayed: boolean;
  source?: PlaySource;
  playlistId?: string;
}

interface Running extends PlayStartInfo {
  /** Listened seconds before the current stretch. */
  listened: number;
  /** When the current stretch began; undefined while paused. */
  since?: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Measures listening time per track on a monotonic clock (`performance.now()`, immune to system
 * clock changes); paused time does not count. Framework-free so it is testable on its own.
 */
export class PlayClock {
  private readonly plays = new Map<string, Running>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * Starts a play of `trackId`. A paused play of it is resumed instead (so a media element's
   * every `play` event can call this); a running one is restarted, its measurement discarded.
   */
  start(trackId: string, info: PlayStartInfo = {}): void {
    const paused = this.plays.get(trackId);
    if (paused && paused.since === undefined) paused.since = this.now();
    else this.plays.set(trackId, { ...info, listened: 0, since: this.now() });
  }

  /** Stops the clock of a running play; no-op when not started or already paused. */
  pause(trackId: string): void {
    const p = this.plays.get(trackId);
    if (p?.since === undefined) return;
    p.listened += this.now() - p.since;
    p.since = undefined;
  }

  /** Restarts the clock of a paused play; no-op otherwise. */
  resume(trackId: string): void {
    const p = this.plays.get(trackId);
    if (p && p.since === undefined) p.since = this.now();
  }

  /**
   * Ends the play and measures it: duration in seconds (two decimals), completion as a percentage
   * of `lengthSeconds` (capped at 100, omitted when the length is unknown), and `skipped` when
   * shorter than `skipThresholdSeconds`. Undefined when `trackId` was not started.
   */
  end(trackId: string, skipThresholdSeconds: number): MeasuredPlay | undefined {
    const p = this.plays.get(trackId);
    if (!p) return undefined;
    this.plays.delete(trackId);
    const ms = p.listened + (p.since === undefined ? 0 : this.now() - p.since);
    const duration = round2(ms / 1000);
    const { lengthSeconds: length, replayed = false, source, playlistId } = p;
    return {
      duration,
      completionRate:
        length && length > 0 ? round2(Math.min(100, (duration / length) * 100)) : undefined,
      skipped: duration < skipThresholdSeconds,
      replayed,
      source,
      playlistId,
    };
  }

  /** Track ids with a play not yet ended. */
  running(): string[] {
    return [...this.plays.keys()];
  }
}
