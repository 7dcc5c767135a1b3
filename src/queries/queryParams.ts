import { z } from 'zod';
import { ValidationError } from '../errors';

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
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' });

const rangeShape = {
  timeRange: z.enum(timeRanges).optional(),
  from: instant.optional(),
  to: instant.optional(),
};

function checkRange(q: { from?: string; to?: string }, ctx: z.RefinementCtx) {
  if (q.from === undefined && q.to !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'required when to is given' });
  }
  if (q.from !== undefined && q.to !== undefined && !(Date.parse(q.from) < Date.parse(q.to))) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  }
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

export type ResolvedRange = { from: number; to: number; timeRange: TimeRange | 'custom' };

/**
 * Turns the query's range into [from, to) in epoch ms. Named ranges end now; `all` starts at
 * the hour of the earliest event of the tracks in question (`earliest`, when known), so it
 * is served by whole rollup buckets. A lone `from` runs until now.
 */
export function resolveRange(
  q: { timeRange?: TimeRange; from?: string; to?: string },
  now: number,
  earliest?: number,
): ResolvedRange {
  if (q.from !== undefined) {
    const to = q.to !== undefined ? Date.parse(q.to) : now;
    const from = Date.parse(q.from);
    if (!(from < to)) {
      throw new ValidationError('invalid query: from', [
        { path: 'from', message: 'must be before to (or before now when to is absent)' },
      ]);
    }
    return { from, to, timeRange: 'custom' };
  }
  const timeRange = q.timeRange ?? '7d';
  if (timeRange === 'all') {
    const from = Math.min(earliest ?? now, now);
    return { from: Math.floor(from / 3_600_000) * 3_600_000, to: now, timeRange };
  }
  return { from: now - rangeLengthMs[timeRange], to: now, timeRange };
}
