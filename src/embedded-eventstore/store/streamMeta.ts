/**
 * Stream metadata as the real server stores it in `$$<stream>` (keys `$maxAge` in seconds,
 * `$maxCount`, `$tb` = truncate before). A soft delete is `$tb` = Int64.MaxValue; the stream then
 * reads as not found until something is appended to it again.
 */
export interface StreamMeta {
  maxAge?: number;
  maxCount?: number;
  truncateBefore?: number;
  deleted: boolean;
  /** The parsed JSON object, kept to preserve user keys when we rewrite `$tb`. */
  raw: Record<string, unknown>;
}

export const DELETED_STREAM_TB = '9223372036854775807';

const positiveInt = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;

export function parseStreamMeta(data: Uint8Array): StreamMeta | null {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const obj = raw as Record<string, unknown>;
  const tb = positiveInt(obj.$tb);
  const deleted = tb !== undefined && tb >= Number.MAX_SAFE_INTEGER;
  return {
    maxAge: positiveInt(obj.$maxAge),
    maxCount: positiveInt(obj.$maxCount),
    truncateBefore: deleted ? undefined : tb,
    deleted,
    raw: obj,
  };
}

/** Metadata JSON with `$tb` replaced; `$tb` is spliced in as text to keep Int64.MaxValue exact. */
export function metaWithTruncateBefore(meta: StreamMeta | null, tb: number | 'deleted'): Buffer {
  const rest: Record<string, unknown> = { ...(meta?.raw ?? {}) };
  delete rest.$tb;
  const body = JSON.stringify(rest);
  const tbText = tb === 'deleted' ? DELETED_STREAM_TB : String(tb);
  const json = body === '{}' ? `{"$tb":${tbText}}` : `${body.slice(0, -1)},"$tb":${tbText}}`;
  return Buffer.from(json, 'utf8');
}

/** First revision readers may see, given metadata and the last revision. */
export function firstVisibleRevision(meta: StreamMeta | null, lastRevision: number): number {
  let first = 0;
  if (meta?.truncateBefore !== undefined) first = Math.max(first, meta.truncateBefore);
  if (meta?.maxCount !== undefined) first = Math.max(first, lastRevision + 1 - meta.maxCount);
  return first;
}

/** Whether an event created at `createdMs` is past the stream's `$maxAge`. */
export function isExpired(meta: StreamMeta | null, createdMs: number, nowMs: number): boolean {
  return meta?.maxAge !== undefined && createdMs < nowMs - meta.maxAge * 1000;
}
