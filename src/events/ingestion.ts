import { z } from 'zod';

/**
 * The wire shape of one event posted to `POST /api/stats/events` (SPEC "Ingestion API").
 * Shared by the server (validation) and the client SDK (types only: `import type`).
 * Unknown fields are stripped; `userId` and `ip` are never trusted from the client.
 */
export const eventKinds = ['play', 'like', 'save', 'share', 'download'] as const;
export const playSources = ['landing', 'playlist', 'search', 'direct', 'share', 'player'] as const;
export const sharePlatforms = [
  'twitter',
  'facebook',
  'instagram',
  'whatsapp',
  'copy_link',
  'embed',
] as const;

const id = z.string().trim().min(1).max(128);

const base = {
  id: z.uuid(),
  trackId: id.regex(/^[A-Za-z0-9_.:-]+$/, 'only letters, digits and _ . : -'),
  sessionId: id,
  anonymousId: id.optional(),
  timestamp: z.iso.datetime({ offset: true }),
};

export const playEventSchema = z.object({
  ...base,
  type: z.literal('play'),
  source: z.enum(playSources).default('direct'),
  playlistId: id.optional(),
  duration: z.number().finite().min(0).max(86_400),
  completionRate: z.number().finite().optional(),
  skipped: z.boolean().optional(),
  replayed: z.boolean().default(false),
});

export const likeEventSchema = z.object({
  ...base,
  type: z.literal('like'),
  action: z.enum(['like', 'unlike']).default('like'),
  source: z.enum(playSources).optional(),
});

export const saveEventSchema = z.object({
  ...base,
  type: z.literal('save'),
  action: z.enum(['save', 'unsave']).default('save'),
  playlistId: id,
});

export const shareEventSchema = z.object({
  ...base,
  type: z.literal('share'),
  platform: z.enum(sharePlatforms),
  source: z.enum(playSources).optional(),
});

export const downloadEventSchema = z.object({
  ...base,
  type: z.literal('download'),
  source: z.enum(playSources).optional(),
});

export const ingestionEventSchema = z.discriminatedUnion('type', [
  playEventSchema,
  likeEventSchema,
  saveEventSchema,
  shareEventSchema,
  downloadEventSchema,
]);

export type IngestionEvent = z.infer<typeof ingestionEventSchema>;
/** What a client sends (defaults not yet applied). */
export type IngestionEventInput = z.input<typeof ingestionEventSchema>;
export type EventKind = (typeof eventKinds)[number];
export type PlaySource = (typeof playSources)[number];
export type SharePlatform = (typeof sharePlatforms)[number];

export const MAX_EVENTS_PER_REQUEST = 1000;
