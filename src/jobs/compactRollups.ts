import type { Db } from 'mongodb';
import { countDifference, packStatsMap } from '../../projections/lib/rollupStats';
import { deriveFromHours, foldInSlices, type RollupView } from '../../projections/lib/rollupView';
import {
  trackRollups,
  trackRollupsCollection,
  type TrackRollupDoc,
} from '../../projections/trackRollups';
import { replaceCompacted } from './replaceCompacted';
import { liveGeneration, physicalName } from '../projector/readModelPointers';

export type CompactionReport = {
  groups: number;
  deltasMerged: number;
  documentsDeleted: number;
  upTo: number;
};

/**
 * Folds rollup deltas into one compacted document per (track, period), so reads touch few
 * documents. Insert-then-delete, never update (FerretDB updates cost grows with the
 * collection): the new compacted version `<track>|<g>|<period>|c<upTo>` is inserted, then the
 * deltas it merged and the older compacted version are deleted. Readers take the newest
 * compacted version and ignore deltas with `pos ≤ upTo`, so every intermediate state reads
 * the same. Only deltas at or below the projector's checkpoint are merged. Running it twice,
 * or on two instances at once, is harmless: the same upTo gives the same id (duplicate key,
 * skipped), a different upTo just supersedes.
 */
export async function compactRollups(
  db: Db,
  options: { maxDeltas?: number } = {},
): Promise<CompactionReport> {
  const { generation, position: upTo } = await liveGeneration(db, trackRollups.name);
  const collection = db.collection<TrackRollupDoc>(
    physicalName(trackRollupsCollection, generation),
  );
  const deltas = await collection
    .find({ kind: 'delta', pos: { $lte: upTo } })
    .limit(options.maxDeltas ?? 20_000)
    .toArray();
  if (deltas.length === 0) return { groups: 0, deltasMerged: 0, documentsDeleted: 0, upTo };
  const trackIds = [...new Set(deltas.map((d) => d.trackId))];
  const groupKey = (d: TrackRollupDoc) => `${d.trackId}|${d.granularity}|${d.period}`;
  const groups = new Set(deltas.map(groupKey));
  const compacted = (
    await collection.find({ kind: 'compacted', trackId: { $in: trackIds } }).toArray()
  ).filter((d) => groups.has(groupKey(d)));
  // A group already compacted at or past this upTo (a concurrent run) is left to that run.
  const ahead = new Set(compacted.filter((d) => (d.upTo ?? 0) >= upTo).map(groupKey));
  const docs = [...compacted, ...deltas].filter((d) => !ahead.has(groupKey(d)));
  // Up to 20,000 documents: folded in slices, the service's requests keep being answered.
  const views: RollupView[] = [];
  for await (const view of foldInSlices(docs, upTo)) views.push(view);
  const inserts = views.map(compactedDoc(upTo));
  return replaceCompacted(collection, inserts, docs, {
    deltasMerged: deltas.length,
    upTo,
    insertChunk: 500,
  });
}

/**
 * A view as one version-3 document: a month's hours (days, weeks and total are derived from
 * them when read), plus whatever the view's total and days hold beyond its hours (the count
 * corrections of reconciliation, kept as they were stored); a year's total.
 */
export const compactedDoc =
  (upTo: number) =>
  (v: RollupView): TrackRollupDoc => {
    const base = {
      _id: `${v.trackId}|${v.granularity}|${v.period}|c${upTo}`,
      kind: 'compacted' as const,
      trackId: v.trackId,
      granularity: v.granularity,
      period: v.period,
      periodStart: v.periodStart,
      upTo,
    };
    if (v.granularity === 'y') return { ...base, total: v.total };
    const derived = deriveFromHours(v.period, v.hours);
    const total = countDifference(v.total, derived.total);
    const days = Object.fromEntries(
      Object.entries(v.days)
        .map(([day, stats]) => [day, countDifference(stats, derived.days[day] ?? {})] as const)
        .filter(([, diff]) => Object.keys(diff).length > 0),
    );
    return {
      ...base,
      v: 3,
      hoursJson: packStatsMap(v.hours),
      ...(Object.keys(total).length > 0 ? { total } : {}),
      ...(Object.keys(days).length > 0 ? { days } : {}),
    };
  };
