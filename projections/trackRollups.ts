import { listenerEventTypes } from '../src/events/stored';
import { bucketKeys, bucketStart } from './lib/buckets';
import {
  accumulate,
  newAccumulator,
  packStatsMap,
  prepareEvent,
  toStats,
  type RollupStats,
  type StatsAccumulator,
} from './lib/rollupStats';
import type { Projection, ReadModelOp } from './types';

/**
 * Time rollups per track (hour, day, ISO week, month, year; UTC), written as insert-only
 * *deltas*: each batch inserts, per (track, month) and per (track, year) it touched, one
 * document with that batch's statistics. Ids come from log positions, so a replayed batch
 * collides with its own earlier insert and is skipped. The compaction job later folds deltas
 * into one `compacted` document per (track, period). See docs/READ-MODELS.md.
 */
export const trackRollupsCollection = 'track_rollups';

export type RollupDocKind = 'delta' | 'compacted';

export type TrackRollupDoc = {
  /** delta: `<trackId>|<m|y>|<period>|<pos>`; compacted: `<trackId>|<m|y>|<period>|c<upTo>`. */
  _id: string;
  /**
   * 3: a month's `total`, `days` and `weeks` are derived from `hoursJson`; any stored there are
   * corrections (reconciliation) added on top. Absent (versions 1 and 2): all stored as read.
   */
  v?: 3;
  kind: RollupDocKind;
  trackId: string;
  /** `m`: a calendar-month document (`period` = `YYYY-MM`); `y`: a year (`period` = `YYYY`). */
  granularity: 'm' | 'y';
  period: string;
  periodStart: Date;
  /** delta only: commit position of the batch's last event of this projection. */
  pos?: number;
  /** compacted only: every delta of this (track, period) with `pos` ≤ `upTo` is merged in. */
  upTo?: number;
  /** Statistics of the whole period: year documents, and version 1–2 month documents. */
  total?: RollupStats;
  /** Version 1–2 month documents: per day of the month, key `DD`. */
  days?: Record<string, RollupStats>;
  /**
   * Month documents only: per hour, key `DDHH` (day of month, hour of day), packed as one JSON
   * string (`packStatsMap`; `foldRollups` unpacks it). Version-1 documents held the map in
   * `hours`; readers accept both.
   */
  hoursJson?: string;
  hours?: Record<string, RollupStats>;
  /**
   * Version 2 month documents: per ISO week (`GGGG-Www`), the part of that week inside this
   * month. A week across two months is the merge of its parts in both month documents.
   */
  weeksJson?: string;
  /** Version 1: `weeks` unpacked. */
  weeks?: Record<string, RollupStats>;
};

export const rollupDocId = (
  trackId: string,
  granularity: 'm' | 'y',
  period: string,
  pos?: number | bigint,
): string => `${trackId}|${granularity}|${period}${pos === undefined ? '' : `|${pos}`}`;

type MonthAcc = { trackId: string; month: string; hours: Map<string, StatsAccumulator> };

const into = (map: Map<string, StatsAccumulator>, key: string): StatsAccumulator => {
  let acc = map.get(key);
  if (!acc) map.set(key, (acc = newAccumulator()));
  return acc;
};

const statsOf = (map: Map<string, StatsAccumulator>): Record<string, RollupStats> =>
  Object.fromEntries([...map].map(([k, acc]) => [k, toStats(acc)]));

export const trackRollups: Projection = {
  name: 'trackRollups',
  version: 3,
  canHandle: listenerEventTypes,
  collections: [trackRollupsCollection],
  indexes: [
    { collection: trackRollupsCollection, keys: { trackId: 1, granularity: 1, period: 1 } },
    { collection: trackRollupsCollection, keys: { kind: 1, pos: 1 } },
  ],
  project(events): ReadModelOp[] {
    if (events.length === 0) return [];
    const pos = Number(events[events.length - 1]!.position);
    const months = new Map<string, MonthAcc>();
    const years = new Map<string, { trackId: string; year: string; total: StatsAccumulator }>();
    // Events of a batch fall into few hours: bucket keys are computed once per hour.
    const keysByHour = new Map<string, ReturnType<typeof bucketKeys>>();
    for (const event of events) {
      const { trackId } = event.data;
      const at = event.data.occurredAt;
      // Only canonical UTC strings (toISOString) share keys by their hour prefix.
      const hour = at.length === 24 && at.endsWith('Z') ? at.slice(0, 13) : at;
      let keys = keysByHour.get(hour);
      if (!keys) keysByHour.set(hour, (keys = bucketKeys(at)));
      const mk = rollupDocId(trackId, 'm', keys.month);
      let m = months.get(mk);
      if (!m) {
        m = { trackId, month: keys.month, hours: new Map() };
        months.set(mk, m);
      }
      const prepared = prepareEvent(event);
      accumulate(into(m.hours, keys.hour), event, prepared);
      const yk = rollupDocId(trackId, 'y', keys.year);
      let y = years.get(yk);
      if (!y) years.set(yk, (y = { trackId, year: keys.year, total: newAccumulator() }));
      accumulate(y.total, event, prepared);
    }
    const ops: ReadModelOp[] = [];
    for (const m of months.values()) {
      const doc: TrackRollupDoc = {
        _id: rollupDocId(m.trackId, 'm', m.month, pos),
        v: 3,
        kind: 'delta',
        trackId: m.trackId,
        granularity: 'm',
        period: m.month,
        periodStart: bucketStart('m', m.month),
        pos,
        hoursJson: packStatsMap(statsOf(m.hours)),
      };
      ops.push({ collection: trackRollupsCollection, id: doc._id, insert: doc });
    }
    for (const y of years.values()) {
      const doc: TrackRollupDoc = {
        _id: rollupDocId(y.trackId, 'y', y.year, pos),
        kind: 'delta',
        trackId: y.trackId,
        granularity: 'y',
        period: y.year,
        periodStart: bucketStart('y', y.year),
        pos,
        total: toStats(y.total),
      };
      ops.push({ collection: trackRollupsCollection, id: doc._id, insert: doc });
    }
    return ops;
  },
};
