import type { RawEvent } from './tally';

/**
 * One track's raw listener events, kept twice over the same objects: in append order (commit
 * positions increase, so "everything after position P" is a suffix) and by event time (so the
 * events of a time span are found with two binary searches, not a scan of the stream).
 */
export class TrackEvents {
  readonly byPos: RawEvent[] = [];
  readonly byTime: RawEvent[] = [];
  /** The newest plays and likes (`newestFirst` order), for the dashboard's recent activity. */
  readonly newest: Record<(typeof recentTypes)[number], RawEvent[]> = {
    TrackPlayed: [],
    TrackLiked: [],
  };

  /** Appends the next event of the stream (its position is after every one held). */
  push(e: RawEvent): void {
    this.byPos.push(e);
    if (e.type === 'TrackPlayed' || e.type === 'TrackLiked') {
      const list = this.newest[e.type];
      let i = list.length;
      while (i > 0 && newestFirst(e, list[i - 1]!) < 0) i--;
      if (i < recentKeep) {
        list.splice(i, 0, e);
        if (list.length > recentKeep) list.pop();
      }
    }
    const last = this.byTime[this.byTime.length - 1];
    if (!last || last.at <= e.at) this.byTime.push(e);
    else this.byTime.splice(timeIndex(this.byTime, e.at + 1), 0, e); // late event: after its equals
  }

  get size(): number {
    return this.byPos.length;
  }

  /** Commit position of the last event held, -1 if none. */
  get lastPos(): number {
    return this.byPos[this.byPos.length - 1]?.pos ?? -1;
  }

  /** Index range in `byTime` of the events with `from ≤ at < to`. */
  between(from: number, to: number): [number, number] {
    return [timeIndex(this.byTime, from), timeIndex(this.byTime, to)];
  }

  /** Index in `byPos` of the first event with a position after `pos`. */
  after(pos: number): number {
    let lo = 0;
    let hi = this.byPos.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.byPos[mid]!.pos <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export const recentTypes = ['TrackPlayed', 'TrackLiked'] as const;
/** Newest events kept per track and type (the dashboard shows 10 plays and 5 likes). */
export const recentKeep = 10;

/** Newest first: later `at` first, then smaller event id. */
export const newestFirst = (a: RawEvent, b: RawEvent): number =>
  a.at !== b.at ? b.at - a.at : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** First index in a time-sorted list whose event is at or after `at`. */
function timeIndex(list: readonly RawEvent[], at: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.at < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
