import type { Collection, Db } from 'mongodb';
import type { WriteBudget } from '../mongo/writeBudget';
import { bucketKeys } from '../../projections/lib/buckets';
import {
  accumulate,
  countFields,
  newAccumulator,
  toStats,
  encodeKey,
  type CountField,
  type RollupStats,
} from '../../projections/lib/rollupStats';
import {
  counterFields,
  counterOf,
  counterShardOf,
  foldCounters,
  trackCounters,
  trackCountersCollection,
  type CounterField,
  type TrackCounts,
  type TrackCountersDoc,
} from '../../projections/trackCounters';
import { trackRollups } from '../../projections/trackRollups';
import {
  isStoredEventType,
  parseStoredEvent,
  trackStreamPrefix,
  type TrackEvent,
} from '../events/stored';
import type { EventStore } from '../eventstore/eventStore';
import { liveGeneration, physicalName } from '../readModels/pointers';
import { partitionContentsAt } from '../readModels/rollups/partitionContents';
import { applyRollupCorrections } from '../readModels/rollups/corrections';

/**
 * Adds counter corrections of one shard where readers count them: into the newest compacted
 * version when it already covers the checkpoint (a delta there would be ignored), else as a
 * repair delta at the checkpoint (id from checkpoint and day: a second run at the same
 * checkpoint finds no drift, or collides).
 */
async function applyCounterRepair(
  counters: Collection<TrackCountersDoc>,
  shard: number,
  repairs: Record<string, TrackCounts>,
  cp: number,
  dayKey: string,
  budget: WriteBudget,
): Promise<void> {
  const [compacted] = await counters
    .find({ shard, kind: 'compacted' })
    .sort({ upTo: -1 })
    .limit(1)
    .toArray();
  if (compacted && (compacted.upTo ?? 0) >= cp) {
    const inc: Record<string, number> = {};
    for (const [key, diff] of Object.entries(repairs))
      for (const f of counterFields) if (diff[f]) inc[`tracks.${key}.${f}`] = diff[f];
    await budget.command(1, () => counters.updateOne({ _id: compacted._id }, { $inc: inc }));
    return;
  }
  const insert = () =>
    counters.insertOne({
      _id: `r|${shard}|${cp}|${dayKey}`,
      kind: 'delta',
      shard,
      pos: cp,
      tracks: repairs,
    });
  await budget.command(0, insert).catch((err: { code?: number }) => {
    if (err.code !== 11000) throw err;
  });
}

export type Drift = { trackId: string; field: string; expected: number; actual: number };
export type ReconcileReport = {
  day: string;
  checkpoint: number;
  eventsScanned: number;
  drift: Drift[];
  repaired: boolean;
};

/**
 * Recomputes one UTC day's rollups (per track, the day bucket's counts) from the log and the
 * all-time counters of the tracks active that day, compares them with the read models and,
 * with `repair`, corrects the difference:
 * - rollups: `$inc` of the difference on the day, its month and its year, in the document
 *   readers count (see applyCorrection). Hours and week parts are not corrected (the day total
 *   does not say which hour); listener sketches cannot be subtracted and are not compared.
 * - counters: the difference, per shard, into the compacted version or as a repair delta (see
 *   applyCounterRepair).
 * The scan is position-consistent: rollups and counters are each compared at their checkpoint,
 * or at the newest compaction's position where a compaction (live load) has folded past it
 * since: the documents are read before the log. A second run finds no drift. The whole log is
 * scanned (events are ordered by append, not by `occurredAt`).
 */
export async function reconcileDay(
  db: Db,
  store: EventStore,
  day: Date,
  /** With `repair`, corrections are written within the process's update budget. */
  options: { repair: false } | { repair: true; budget: WriteBudget },
): Promise<ReconcileReport> {
  const dayKey = day.toISOString().slice(0, 10);
  const keys = bucketKeys(`${dayKey}T00:00:00.000Z`);
  const { generation: rollupGen, position: rollupCp } = await liveGeneration(db, trackRollups.name);
  const { generation: counterGen, position: counterCpRead } = await liveGeneration(
    db,
    trackCounters.name,
  );

  // The read models first, then the log up to its head: a compaction that ran after the
  // checkpoints were read has folded events past them into documents that cannot be taken
  // apart, so each side is compared at what its documents hold (≥ its checkpoint, ≤ the head).
  const physical = (logical: string) => physicalName(logical, rollupGen);
  const { cells: days, position: cp } = await partitionContentsAt(
    db,
    physical,
    `d${keys.month}`,
    rollupCp,
  );
  const counters = db.collection<TrackCountersDoc>(
    physicalName(trackCountersCollection, counterGen),
  );
  const counterDocs = await counters.find({}).toArray();
  const counterCp = counterDocs.reduce(
    (p, d) => (d.kind === 'compacted' ? Math.max(p, d.upTo ?? 0) : p),
    counterCpRead,
  );
  const folded = foldCounters(counterDocs, counterCp);

  const perTrackDay = new Map<string, ReturnType<typeof newAccumulator>>();
  const counterEvents = new Map<string, [number, CounterField, number][]>();
  const head = await store.headPosition([trackStreamPrefix]);
  let scanned = 0;
  if (head) {
    const sub = store.subscribeToAll({ streamPrefixes: [trackStreamPrefix] });
    try {
      for await (const e of sub) {
        scanned++;
        if (isStoredEventType(e.type)) {
          const event = {
            type: e.type,
            id: e.id,
            data: parseStoredEvent(e.type, e.data),
            revision: e.revision,
            position: e.position.commit,
          } as TrackEvent;
          const pos = Number(e.position.commit);
          const c = counterOf[event.type];
          if (c) {
            const list = counterEvents.get(event.data.trackId) ?? [];
            list.push([pos, c[0], c[1]]);
            counterEvents.set(event.data.trackId, list);
            if (pos <= cp && event.data.occurredAt.slice(0, 10) === dayKey) {
              const acc = perTrackDay.get(event.data.trackId) ?? newAccumulator();
              accumulate(acc, event);
              perTrackDay.set(event.data.trackId, acc);
            }
          }
        }
        if (e.position.commit >= head.commit) break;
      }
    } finally {
      await sub.close();
    }
  }

  const drift: Drift[] = [];
  // Rollups: the day cell of each track, at `cp`.
  const tracks = new Set([
    ...perTrackDay.keys(),
    ...[...days].filter(([, cells]) => cells[keys.day]).map(([trackId]) => trackId),
  ]);
  const corrections = new Map<string, RollupStats>();
  for (const trackId of tracks) {
    const expected = toStats(perTrackDay.get(trackId) ?? newAccumulator());
    const actual: RollupStats = days.get(trackId)?.[keys.day] ?? {};
    const diff: Partial<Record<CountField, number>> = {};
    for (const f of countFields) {
      const e = expected[f] ?? 0;
      const a = actual[f] ?? 0;
      if (Math.abs(e - a) > 1e-9) {
        drift.push({ trackId, field: `rollups.${keys.day}.${f}`, expected: e, actual: a });
        diff[f] = e - a;
      }
    }
    if (Object.keys(diff).length > 0) corrections.set(trackId, diff);
  }

  // Counters: all-time counts of the day's tracks, folded at `counterCp`, compared with the
  // log's events at or below it.
  const counterRepairs = new Map<number, Record<string, TrackCounts>>();
  for (const trackId of tracks) {
    const expected: Partial<Record<CounterField, number>> = {};
    for (const [pos, field, delta] of counterEvents.get(trackId) ?? []) {
      if (pos <= counterCp) expected[field] = (expected[field] ?? 0) + delta;
    }
    const actual = folded.get(trackId) ?? {};
    const diff: TrackCounts = {};
    for (const field of counterFields) {
      const e = expected[field] ?? 0;
      const a = actual[field] ?? 0;
      if (e !== a) {
        drift.push({ trackId, field: `counters.${field}`, expected: e, actual: a });
        diff[field] = e - a;
      }
    }
    if (Object.keys(diff).length > 0) {
      const shard = counterShardOf(trackId);
      const repairs = counterRepairs.get(shard) ?? {};
      repairs[encodeKey(trackId)] = diff;
      counterRepairs.set(shard, repairs);
    }
  }

  if (options.repair) {
    if (corrections.size > 0)
      await applyRollupCorrections(db, physical, corrections, keys, cp, options.budget);
    for (const [shard, repairs] of counterRepairs)
      await applyCounterRepair(counters, shard, repairs, counterCp, dayKey, options.budget);
  }
  return {
    day: dayKey,
    checkpoint: cp,
    eventsScanned: scanned,
    drift,
    repaired: options.repair && drift.length > 0,
  };
}
