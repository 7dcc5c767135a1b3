import type { TrackRollupDoc } from '../trackRollups';
import { bucketKeys, isoWeekKey, type Granularity } from './buckets';
import { mergeStats, mergeStatsList, unpackStatsMap, type RollupStats } from './rollupStats';

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

const add = (into: Map<string, RollupStats[]>, key: string, stats: RollupStats) => {
  const list = into.get(key);
  if (list) list.push(stats);
  else into.set(key, [stats]);
};

const addAll = (into: Map<string, RollupStats[]>, map: Record<string, RollupStats> | undefined) => {
  if (map) for (const [key, stats] of Object.entries(map)) add(into, key, stats);
};

const mergeEach = (lists: Map<string, RollupStats[]>): Record<string, RollupStats> => {
  const out: Record<string, RollupStats> = {};
  for (const [key, list] of lists) out[key] = mergeStatsList(list);
  return out;
};

/** ISO week key of day `DD` of month `YYYY-MM`, memoized (few distinct days exist). */
const weekKeys = new Map<string, string>();
function weekOfDay(month: string, day: string): string {
  const key = `${month}-${day}`;
  let week = weekKeys.get(key);
  if (week === undefined) {
    week = isoWeekKey(new Date(`${key}T00:00:00.000Z`));
    weekKeys.set(key, week);
  }
  return week;
}

type Derived = {
  total: RollupStats[];
  days: Map<string, RollupStats[]>;
  weeks: Map<string, RollupStats[]>;
};

/** Version 3 stores a month's hours only: each hour also counts in its day, week and total. */
function addDerived(into: Derived, month: string, hours: Record<string, RollupStats>): void {
  for (const [hour, stats] of Object.entries(hours)) {
    const day = hour.slice(0, 2);
    add(into.days, day, stats);
    add(into.weeks, weekOfDay(month, day), stats);
    into.total.push(stats);
  }
}

const mergeTotal = (list: RollupStats[]): RollupStats =>
  list.length > 0 ? mergeStatsList(list) : {};

/** Days, ISO weeks (the part inside the month) and the total of a month, from its hours. */
export function deriveFromHours(
  month: string,
  hours: Record<string, RollupStats>,
): Pick<RollupView, 'total' | 'days' | 'weeks'> {
  const lists: Derived = { total: [], days: new Map(), weeks: new Map() };
  addDerived(lists, month, hours);
  return {
    total: mergeTotal(lists.total),
    days: mergeEach(lists.days),
    weeks: mergeEach(lists.weeks),
  };
}

/** Documents by (track, granularity, period): the groups `foldRollups` folds independently. */
function groupRollupDocs(docs: readonly TrackRollupDoc[]): Map<string, TrackRollupDoc[]> {
  const groups = new Map<string, TrackRollupDoc[]>();
  for (const d of docs) {
    const key = `${d.trackId}|${d.granularity}|${d.period}`;
    const list = groups.get(key);
    if (list) list.push(d);
    else groups.set(key, [d]);
  }
  return groups;
}

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
  const views: RollupView[] = [];
  for (const list of groupRollupDocs(docs).values()) {
    // Compaction inserts a new compacted version before deleting the old one: the newest wins.
    const compacted = list
      .filter((d) => d.kind === 'compacted')
      .reduce<TrackRollupDoc | undefined>((a, d) => (!a || d.upTo! > a.upTo! ? d : a), undefined);
    const upTo = compacted?.upTo ?? 0;
    const first = list[0]!;
    const parts = list
      .filter(
        (d) => d === compacted || (d.kind === 'delta' && d.pos! > upTo && d.pos! <= checkpoint),
      )
      .sort((a, b) => (a.pos ?? a.upTo ?? 0) - (b.pos ?? b.upTo ?? 0));
    const lists: Derived = { total: [], days: new Map(), weeks: new Map() };
    const hours = new Map<string, RollupStats[]>();
    let viewUpTo = upTo;
    for (const d of parts) {
      viewUpTo = Math.max(viewUpTo, d.pos ?? d.upTo ?? 0);
      // Stored as they are: totals, days and weeks of versions 1 and 2 (and corrections).
      if (d.total) lists.total.push(d.total);
      addAll(lists.days, d.days);
      addAll(lists.weeks, d.weeks ?? unpackStatsMap(d.weeksJson));
      const hourMap = d.hours ?? unpackStatsMap(d.hoursJson);
      addAll(hours, hourMap);
      if (d.v === 3 && hourMap) addDerived(lists, d.period, hourMap);
    }
    const view: RollupView = {
      trackId: first.trackId,
      granularity: first.granularity,
      period: first.period,
      periodStart: first.periodStart,
      upTo: viewUpTo,
      total: mergeTotal(lists.total),
      days: mergeEach(lists.days),
      hours: mergeEach(hours),
      weeks: mergeEach(lists.weeks),
    };
    views.push(view);
  }
  return views;
}

/** Documents folded per slice before the event loop gets a turn (~100 ms of work at most). */
const FOLD_SLICE_DOCS = 2000;

/**
 * `foldRollups` of many documents without holding the event loop: (track, period) groups are
 * independent, so they are folded a slice at a time. A period of every track can be 100,000
 * uncompacted documents, seconds of folding that would otherwise stall every request of the
 * process (queries, compaction and reconciliation run in the service).
 */
export async function* foldInSlices(
  docs: readonly TrackRollupDoc[],
  checkpoint: number,
  sliceDocs = FOLD_SLICE_DOCS,
): AsyncGenerator<RollupView> {
  let slice: TrackRollupDoc[] = [];
  for (const list of groupRollupDocs(docs).values()) {
    for (const d of list) slice.push(d);
    if (slice.length < sliceDocs) continue;
    yield* foldRollups(slice, checkpoint);
    slice = [];
    await new Promise((resolve) => setImmediate(resolve));
  }
  yield* foldRollups(slice, checkpoint);
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
