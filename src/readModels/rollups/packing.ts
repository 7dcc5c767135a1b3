import type { TrackCells, TrackRecent } from '../../../projections/lib/rollupCells';
import {
  breakdownFields,
  countFields,
  sketchBytes,
  type RollupStats,
} from '../../../projections/lib/rollupStats';
import type { RecentLike, RecentPlay } from '../../../projections/lib/recent';

/**
 * The stored form of rollup content: one JSON string per document for the cells (listener
 * sketches in base64) and one for the recent lists. FerretDB's cost is per stored field and
 * nested object, a string costs it least (measured: a 50,000-event batch's month documents
 * insert ~2.5x and read ~3x faster packed). docs/READ-MODELS.md says why both servers get it.
 */

/** Base64 of a sketch's bytes, without copying them first. */
const base64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/**
 * Packed statistics by object: a projection may put one statistics object in several cells
 * (the day, month and year of a batch that lies within one hour), packed once.
 */
const packed = new WeakMap<RollupStats, string>();

const statsJson = (stats: RollupStats): string => {
  let json = packed.get(stats);
  if (json === undefined) packed.set(stats, (json = packStats(stats)));
  return json;
};

/**
 * One bucket's statistics as JSON text: non-zero counts, breakdowns, the sketch in base64.
 * Written field by field (the projector packs one per cell it touches, so no intermediate
 * object per cell); `JSON.parse` of it gives the same `RollupStats` but the sketch's text.
 */
function packStats(stats: RollupStats): string {
  let out = '';
  for (const f of countFields) {
    const v = stats[f];
    if (v) out += `,"${f}":${JSON.stringify(v)}`;
  }
  for (const f of breakdownFields) {
    const map = stats[f];
    if (map) out += `,"${f}":${JSON.stringify(map)}`;
  }
  const bytes = sketchBytes(stats.listeners);
  if (bytes) out += `,"listeners":"${base64(bytes)}"`;
  return `{${out.slice(1)}}`;
}

/** A map of bucket statistics as one JSON object text, sketches in base64. */
export function packStatsMap(map: Record<string, RollupStats>): string {
  let out = '';
  for (const k in map) out += `,${JSON.stringify(k)}:${statsJson(map[k]!)}`;
  return `{${out.slice(1)}}`;
}

/** A parsed `packStatsMap` object with its base64 listener sketches turned back into bytes. */
export function reviveStatsMap(parsed: Record<string, unknown>): Record<string, RollupStats> {
  const map = parsed as Record<string, RollupStats & { listeners?: unknown }>;
  for (const stats of Object.values(map)) {
    if (typeof stats.listeners === 'string') {
      const b = Buffer.from(stats.listeners, 'base64');
      stats.listeners = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
  }
  return map;
}

export function packCells(cells: TrackCells): string {
  const parts: string[] = [];
  for (const [trackId, map] of cells) parts.push(`${JSON.stringify(trackId)}:${packStatsMap(map)}`);
  return `{${parts.join(',')}}`;
}

export function unpackCells(json: string | undefined): TrackCells {
  const out: TrackCells = new Map();
  if (!json) return out;
  const raw = JSON.parse(json) as Record<string, unknown>;
  for (const trackId of Object.keys(raw)) {
    out.set(trackId, reviveStatsMap(raw[trackId] as Record<string, unknown>));
  }
  return out;
}

/** Undefined when there is nothing to store (the field is left out). */
export function packRecent(recent: TrackRecent | undefined): string | undefined {
  if (!recent || recent.size === 0) return undefined;
  return JSON.stringify(Object.fromEntries(recent));
}

/** `RecentPlay`/`RecentLike` lists stored as JSON, `at` back as a Date. */
export const reviveRecentList = <T extends { at: Date | string }>(list: readonly T[]) =>
  list.map((item) => ({ ...item, at: new Date(item.at) }));

export function unpackRecent(json: string | undefined): TrackRecent {
  const out: TrackRecent = new Map();
  if (!json) return out;
  const raw = JSON.parse(json) as Record<string, { plays: RecentPlay[]; likes: RecentLike[] }>;
  for (const [trackId, r] of Object.entries(raw)) {
    out.set(trackId, { plays: reviveRecentList(r.plays), likes: reviveRecentList(r.likes) });
  }
  return out;
}
