import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no', ''])
  .transform((v) => ['1', 'true', 'on', 'yes'].includes(v));

const positiveInt = z.coerce.number().int().positive();

export const serviceRoles = ['api', 'projector', 'jobs'] as const;
export type ServiceRole = (typeof serviceRoles)[number];

/** `api,projector`: a comma-separated, non-empty subset of the roles, each at most once. */
const rolesList = z
  .string()
  .transform((v) => v.split(',').map((r) => r.trim().toLowerCase()))
  .pipe(
    z
      .array(
        z.enum(serviceRoles, {
          message: `each role must be one of ${serviceRoles.join(', ')} (comma-separated)`,
        }),
      )
      .min(1)
      .refine((rs) => new Set(rs).size === rs.length, 'a role is listed twice'),
  );

const envFields = z.object({
  NODE_ENV: z.string().default('development'),
  SERVICE_ROLES: rolesList.default([...serviceRoles]),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  EVENTSTORE_URL: z
    .string()
    .regex(
      /^esdb(\+discover)?:\/\/([^\s@/?,]+@)?[\w.-]+(:\d{1,5})?(,[\w.-]+(:\d{1,5})?)*\/?(\?\S*)?$/,
      'must be an EventStoreDB connection string: esdb://host:port[,host:port...][?tls=false&...]',
    )
    .optional(),
  EVENTSTORE_PORT: z.coerce.number().int().min(0).max(65535).default(2113),
  MONGODB_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb://')
    .optional(),
  MONGODB_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,60}$/, 'letters, digits, _ and - only')
    .default('music_stats'),
  MONGODB_BULK_CHUNK: positiveInt.optional(),
  MONGODB_UPDATE_BUDGET: z.coerce
    .number()
    .int('must be an integer')
    .min(2, 'must be at least 2 (one command with one update)')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  /** Operator commands only: the service's base URL (else DATA_DIR/service.json of a running npm start). */
  SERVICE_URL: z.url().optional(),
  AUTH_JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  TRUST_PROXY: bool.default(false),
  RATE_LIMIT_PER_MINUTE: positiveInt.default(600),
  CORS_ORIGINS: z.string().default('*'),
  SKIP_THRESHOLD_SECONDS: z.coerce.number().min(0).default(20),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PROJECTOR_BATCH_SIZE: positiveInt.default(5000),
  PROJECTOR_BATCH_DELAY_MS: z.coerce.number().int().min(0).default(100),
  PROJECTOR_BATCH_MAX_DELAY_MS: z.coerce.number().int().min(0).default(1000),
  PROJECTOR_REBUILD_BATCH_SIZE: positiveInt.default(50000),
  PROJECTOR_FAILURE_POLICY: z.enum(['stop', 'skip']).default('stop'),
  /** A projector instance that stops renewing loses its lease after this long (another takes over). */
  PROJECTOR_LEASE_TTL_MS: z.coerce.number().int().min(1000).default(30_000),
  /** How often a projector instance renews its leases, tries to take free ones, follows swaps. */
  PROJECTOR_POLL_MS: z.coerce.number().int().min(100).default(2000),
  JOBS_ENABLED: bool.default(true),
  QUERY_ROLLUP_CACHE_MB: positiveInt.default(16),
  QUERY_FRESH_MS: z.coerce.number().int().min(0).default(250),
  QUERY_TAIL_MAX_EVENTS: positiveInt.default(100_000),
  QUERY_FOLD_CACHE_ENTRIES: z.coerce.number().int().min(0).default(1000),
  JOB_ROLLUP_COMPACT_CRON: z.string().min(1).default('*/10 * * * * *'),
  /** node-schedule cron specs (UTC). */
  JOB_RECONCILE_CRON: z.string().min(1).default('17 3 * * *'),
  JOB_COMPACT_CRON: z.string().min(1).default('*/5 * * * *'),
  JOB_RETENTION_CRON: z.string().min(1).default('41 4 * * *'),
  /** Raw events older than this are removed through stream metadata (maxAge); 0 = keep all. */
  RETENTION_MAX_AGE_DAYS: z.coerce.number().int().min(0).default(0),
  /** How long a swapped-out read-model generation is kept before it is dropped. */
  PROJECTOR_DROP_GRACE_MS: z.coerce.number().int().min(0).default(600_000),
  TRUST_PROXY_HOPS: positiveInt.default(1),
  EVENTSTORE_EMBEDDED_WORKER: bool.default(true),
  DEDUP_WINDOW_HOURS: z.coerce.number().positive().default(72),
  DEDUP_CACHE_MAX_IDS: positiveInt.default(1_000_000),
  EVENT_MAX_AGE_HOURS: z.coerce.number().positive().default(168),
  INGESTION_BODY_LIMIT_BYTES: positiveInt.default(1024 * 1024),
  IMPORT_BODY_LIMIT_BYTES: positiveInt.default(32 * 1024 * 1024),
  CATALOG_CACHE_TTL_SECONDS: z.coerce.number().min(0).default(30),
});

/** Every environment variable the service reads (deployment files are checked against it). */
export const configVariables: readonly string[] = Object.keys(envFields.shape);

/** A lease must be renewed at least twice within its lifetime, or a busy instance loses it. */
const envSchema = envFields.refine((e) => e.PROJECTOR_POLL_MS * 2 <= e.PROJECTOR_LEASE_TTL_MS, {
  path: ['PROJECTOR_POLL_MS'],
  message: 'must be at most half of PROJECTOR_LEASE_TTL_MS (leases are renewed on each poll)',
});

export type Config = Readonly<{
  env: string;
  /** What this instance runs (SERVICE_ROLES); every instance serves /health, /ready, /metrics. */
  roles: ReadonlySet<ServiceRole>;
  host: string;
  port: number;
  eventStoreUrl: string | undefined;
  eventStorePort: number;
  mongoUrl: string | undefined;
  mongoDb: string;
  mongoBulkChunk: number | undefined;
  /** Update operations (+1 per command) in flight per process; unset: by server kind. */
  mongoUpdateBudget: number | undefined;
  dataDir: string;
  serviceUrl: string | undefined;
  jwtSecret: string | undefined;
  trustProxy: boolean;
  rateLimitPerMinute: number;
  corsOrigins: '*' | readonly string[];
  skipThresholdSeconds: number;
  logLevel: string;
  projectorBatchSize: number;
  projectorBatchDelayMs: number;
  projectorBatchMaxDelayMs: number;
  projectorRebuildBatchSize: number;
  projectorFailurePolicy: 'stop' | 'skip';
  projectorLeaseTtlMs: number;
  projectorPollMs: number;
  jobsEnabled: boolean;
  queryRollupCacheBytes: number;
  queryFreshMs: number;
  queryTailMaxEvents: number;
  queryFoldCacheEntries: number;
  jobRollupCompactCron: string;
  jobReconcileCron: string;
  jobCompactCron: string;
  jobRetentionCron: string;
  retentionMaxAgeDays: number;
  projectorDropGraceMs: number;
  /** With TRUST_PROXY: how many proxies append to X-Forwarded-For (the client is that many from the right). */
  trustProxyHops: number;
  /** Run the embedded event store on a worker thread (off the HTTP event loop); default on. */
  eventStoreEmbeddedWorker: boolean;
  /** An event id seen in its track stream within this window is a duplicate. */
  dedupWindowMs: number;
  dedupCacheMaxIds: number;
  /** How far in the past a live event's skew-corrected time may lie before it is clamped. */
  eventMaxAgeMs: number;
  ingestionBodyLimitBytes: number;
  importBodyLimitBytes: number;
  catalogCacheTtlMs: number;
}>;

export class ConfigError extends Error {
  readonly type = 'ConfigError';
}

/** Parses the environment once; every problem names its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k in envFields.shape && v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const origins = e.CORS_ORIGINS.trim();
  return Object.freeze({
    env: e.NODE_ENV,
    roles: Object.freeze(new Set(e.SERVICE_ROLES)),
    host: e.HOST,
    port: e.PORT,
    eventStoreUrl: e.EVENTSTORE_URL,
    eventStorePort: e.EVENTSTORE_PORT,
    mongoUrl: e.MONGODB_URL,
    mongoDb: e.MONGODB_DB,
    mongoBulkChunk: e.MONGODB_BULK_CHUNK,
    mongoUpdateBudget: e.MONGODB_UPDATE_BUDGET,
    dataDir: path.resolve(e.DATA_DIR),
    serviceUrl: e.SERVICE_URL?.replace(/\/+$/, ''),
    jwtSecret: e.AUTH_JWT_SECRET,
    trustProxy: e.TRUST_PROXY,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    corsOrigins:
      origins === '*'
        ? '*'
        : Object.freeze(
            origins
              .split(',')
              .map((o) => o.trim())
              .filter(Boolean),
          ),
    skipThresholdSeconds: e.SKIP_THRESHOLD_SECONDS,
    logLevel: e.LOG_LEVEL,
    projectorBatchSize: e.PROJECTOR_BATCH_SIZE,
    projectorBatchDelayMs: e.PROJECTOR_BATCH_DELAY_MS,
    projectorBatchMaxDelayMs: e.PROJECTOR_BATCH_MAX_DELAY_MS,
    projectorRebuildBatchSize: e.PROJECTOR_REBUILD_BATCH_SIZE,
    projectorFailurePolicy: e.PROJECTOR_FAILURE_POLICY,
    projectorLeaseTtlMs: e.PROJECTOR_LEASE_TTL_MS,
    projectorPollMs: e.PROJECTOR_POLL_MS,
    jobsEnabled: e.JOBS_ENABLED,
    queryRollupCacheBytes: e.QUERY_ROLLUP_CACHE_MB * 1024 * 1024,
    queryFreshMs: e.QUERY_FRESH_MS,
    queryTailMaxEvents: e.QUERY_TAIL_MAX_EVENTS,
    queryFoldCacheEntries: e.QUERY_FOLD_CACHE_ENTRIES,
    jobRollupCompactCron: e.JOB_ROLLUP_COMPACT_CRON,
    jobReconcileCron: e.JOB_RECONCILE_CRON,
    jobCompactCron: e.JOB_COMPACT_CRON,
    jobRetentionCron: e.JOB_RETENTION_CRON,
    retentionMaxAgeDays: e.RETENTION_MAX_AGE_DAYS,
    projectorDropGraceMs: e.PROJECTOR_DROP_GRACE_MS,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    eventStoreEmbeddedWorker: e.EVENTSTORE_EMBEDDED_WORKER,
    dedupWindowMs: e.DEDUP_WINDOW_HOURS * 3600_000,
    dedupCacheMaxIds: e.DEDUP_CACHE_MAX_IDS,
    eventMaxAgeMs: e.EVENT_MAX_AGE_HOURS * 3600_000,
    ingestionBodyLimitBytes: e.INGESTION_BODY_LIMIT_BYTES,
    importBodyLimitBytes: e.IMPORT_BODY_LIMIT_BYTES,
    catalogCacheTtlMs: e.CATALOG_CACHE_TTL_SECONDS * 1000,
  });
}
