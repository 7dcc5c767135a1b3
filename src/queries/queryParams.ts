import { z } from 'zod';
import { ValidationError } from '../errors';
import { localDateStart, next, parseTimeZone } from './zonedTime';

/** Query-string contract of the analytics and dashboard endpoints (SPEC "Query API"). */
export const timeRanges = ['24h', '7d', '30d', '90d', '1y', 'all'] as const;
export type TimeRange = (typeof timeRanges)[number];
export const metrics = ['plays', 'likes', 'shares', 'downloads', 'saves'] as const;
export type Metric = (typeof metrics)[number];

const DAY = 86_400_000;
export const rangeLengthMs: Record<Exclude<TimeRange, 'all'>, number> = {
  '24h': DAY,
  '7d': 7 * DAY,
  '30d': 30 * DAY,
  '90d': 90 * DAY,
  '1y': 365 * DAY,
};

const id = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'only letters, digits and _ . : -');
const instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'must be a date (YYYY-MM-DD) or an ISO 8601 date-time',
});

const rangeShape = {
  timeRange: z.enum(timeRanges).optional(),
  from: instant.optional(),
  to: instant.optional(),
  /** IANA time zone of days, weeks, months and years (validated in `resolveRange`). */
  tz: z.string().trim().max(64).optional(),
};

function checkRange(q: { from?: string; to?: string }, ctx: z.RefinementCtx) {
  if (q.from === undefined && q.to !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'required when to is given' });
  }
  if (q.from === undefined || q.to === undefined) return;
  // Two dates name whole local days (`to` included); otherwise instants.
  const ordered =
    q.from.length === 10 && q.to.length === 10
      ? q.from <= q.to
      : Date.parse(q.from) < Date.parse(q.to);
  if (!ordered) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
}

export const analyticsQuerySchema = z
  .object({
    ...rangeShape,
    trackId: id.optional(),
    artistId: id.optional(),
    metric: z.enum(metrics).optional(),
  })
  .superRefine((q, ctx) => {
    checkRange(q, ctx);
    if ((q.trackId === undefined) === (q.artistId === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [q.trackId === undefined ? 'trackId' : 'artistId'],
        message: 'give exactly one of trackId or artistId',
      });
    }
  });
export type AnalyticsQuery = z.infer<typeof analyticsQuerySchema>;

export const dashboardQuerySchema = z
  .object({ ...rangeShape, artistId: id.optional(), trackId: id.optional() })
  .superRefine(checkRange);
export type DashboardQuery = z.infer<typeof dashboardQuerySchema>;

/** Parses a query string with `schema`; a 400 names every offending field. */
export function parseQuery<T>(schema: z.ZodType<T>, query: unknown): T {
  // Repeated parameters arrive as arrays and are rejected, never silently reduced to one.
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => ({
    path: i.path.join('.') || 'query',
    message: i.message,
  }));
  throw new ValidationError(
    `invalid query: ${[...new Set(fields.map((f) => f.path))].join(', ')}`,
    fields,
  );
}

export type ResolvedRange = {
  from: number;
  to: number;
  timeRange: TimeRange | 'custom';
  /** The IANA zone of the answer's days, weeks, months and years. */
  tz: string;
};

const HOUR = 3_600_000;
const floorHour = (t: number) => Math.floor(t / HOUR) * HOUR;
const isDate = (s: string) => s.length === 10;

/**
 * Turns the query's range into [from, to) in epoch ms, on whole hours (the finest rollup) except
 * a `to` of now. Named ranges end now and start on the hour their length before now falls in;
 * `all` starts at the hour of the tracks' earliest event (`earliest`). Custom bounds: a date is
 * that day's local midnight in `tz` (`to` as a date includes that day); a date-time `from` is
 * taken to its hour, a date-time `to` up to the end of its hour.
 */
export function resolveRange(
  q: { timeRange?: TimeRange; from?: string; to?: string; tz?: string },
  now: number,
  earliest?: number,
): ResolvedRange {
  const tz = parseTimeZone(q.tz);
  if (q.from !== undefined) {
    const from = isDate(q.from)
      ? localDateStart(q.from, tz, 'from')
      : floorHour(Date.parse(q.from));
    let to = now;
    if (q.to !== undefined) {
      to = isDate(q.to)
        ? next(localDateStart(q.to, tz, 'to'), 'day', tz)
        : floorHour(Date.parse(q.to) + HOUR - 1);
    }
    if (!(from < to)) {
      throw new ValidationError('invalid query: from', [
        { path: 'from', message: 'must be before to (or before now when to is absent)' },
      ]);
    }
    return { from, to, timeRange: 'custom', tz };
  }
  const timeRange = q.timeRange ?? '7d';
  if (timeRange === 'all') {
    const from = Math.min(earliest ?? now, now);
    return { from: floorHour(from), to: now, timeRange, tz };
  }
  return { from: floorHour(now - rangeLengthMs[timeRange]), to: now, timeRange, tz };
}
