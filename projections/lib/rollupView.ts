import type { TrackRollupDoc } from '../trackRollups';
import { bucketKeys, type Granularity } from './buckets';
import { mergeStats, unpackStatsMap, type RollupStats } from './rollupStats';

/** The merged statistics of one (track, granularity, period): what readers use. */
export type RollupView = {
  trackId: string;
  granularity: 'm' | 'y';
  period: string;
  periodStart: Date;
  /** Every event with a log position ≤ this is in the view, and no other. */
  upTo: number;
  total: RollupStats;
  days: Record<string, RollupStats>;
  hours: Record<string, RollupStats>;
  weeks: Record<string, RollupStats>;
};

const mergeMaps = (
  a: Record<string, RollupStats>,
  b: Record<string, RollupStats> | undefined,
): Record<string, RollupStats> => {
  if (!b) return a;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = mergeStats(out[k], v);
  return out;
};

/**
 * Folds the documents of one or more (track, period) groups into views, reading exactly the
 * events with position ≤ `checkpoint`: the compacted document (if any) plus the deltas with
 * `upTo < pos ≤ checkpoint`. Deltas already compacted (a crash between the compaction's write
 * and its delete leaves them behind) and deltas of a batch not yet checkpointed are ignored,
 * so rollups + a raw replay of the log after `checkpoint` count every event exactly once.
 * Documents may come in any order and any mix of groups.
 */
export function foldRollups(
  docs: readonly TrackRollupDoc[],
  checkpoint: number = Number.MAX_SAFE_INTEGER,
): RollupView[] {
  const groups = new Map<string, TrackRollupDoc[]>();
  for (const d of docs) {
    const key = `${d.trackId}|${d.granularity}|${d.period}`;
    const list = groups.get(key);
    if (list) list.push(d);
    else groups.set(key, [d]);
  }
  const views: RollupView[] = [];
  for (const list of groups.values()) {
    // Compaction inserts a new compacted version before deleting the old one: the newest wins.
    const compacted = list
      .filter((d) => d.kind === 'compacted')
      .reduce<TrackRollupDoc | undefined>((a, d) => (!a || d.upTo! > a.upTo! ? d : a), undefined);
    const upTo = compacted?.upTo ?? 0;
    const first = list[0]!;
    let view: RollupView = {
      trackId: first.trackId,
      granularity: first.granularity,
      period: first.period,
      periodStart: first.periodStart,
      upTo,
      total: {},
      days: {},
      hours: {},
      weeks: {},
    };
    const parts = list
      .filter(
        (d) => d === compacted || (d.kind === 'delta' && d.pos! > upTo && d.pos! <= checkpoint),
      )
      .sort((a, b) => (a.pos ?? a.upTo ?? 0) - (b.pos ?? b.upTo ?? 0));
    for (const d of parts) {
      view = {
        ...view,
        upTo: Math.max(view.upTo, d.pos ?? d.upTo ?? 0),
        total: mergeStats(view.total, d.total),
        days: mergeMaps(view.days, d.days),
        hours: mergeMaps(view.hours, d.hours ?? unpackStatsMap(d.hoursJson)),
        weeks: mergeMaps(view.weeks, d.weeks ?? unpackStatsMap(d.weeksJson)),
      };
    }
    views.push(view);
  }
  return views;
}

/**
 * Statistics of one bucket of one track, from folded views (absent = empty):
 * `start` is the bucket's UTC start (hour, day, Monday of the ISO week, 1st of month, 1 Jan).
 * A week is merged from the month views it spans, so pass the views of both months.
 */
export function bucketStats(
  views: readonly RollupView[],
  trackId: string,
  granularity: Granularity,
  start: Date,
): RollupStats {
  const keys = bucketKeys(start.toISOString());
  const month = (period: string) =>
    views.find((v) => v.trackId === trackId && v.granularity === 'm' && v.period === period);
  switch (granularity) {
    case 'y':
      return (
        views.find((v) => v.trackId === trackId && v.granularity === 'y' && v.period === keys.year)
          ?.total ?? {}
      );
    case 'm':
      return month(keys.month)?.total ?? {};
    case 'd':
      return month(keys.month)?.days[keys.day] ?? {};
    case 'h':
      return month(keys.month)?.hours[keys.hour] ?? {};
    case 'w': {
      const last = bucketKeys(new Date(start.getTime() + 6 * 86_400_000).toISOString());
      const months = [...new Set([keys.month, last.month])];
      return months.reduce<RollupStats>(
        (acc, m) => mergeStats(acc, month(m)?.weeks[keys.week]),
        {},
      );
    }
  }
}
