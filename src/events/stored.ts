import { z } from 'zod';
import { playSources, sharePlatforms } from './ingestion';

/**
 * Facts as stored in EventStoreDB, one stream per track: `track-<trackId>`.
 * Every event's EventStoreDB id is the client's event id (catalog events: a server id).
 * Version 1 of each schema; `upcast` turns older shapes into the current one.
 */
export const trackStreamPrefix = 'track-';
export const trackStream = (trackId: string): string => `${trackStreamPrefix}${trackId}`;

const isoDate = z.iso.datetime({ offset: true });

const listenerFact = {
  trackId: z.string(),
  listenerId: z.string(),
  sessionId: z.string(),
  occurredAt: isoDate,
  receivedAt: isoDate,
  userAgent: z.string().optional(),
  /** Anonymised client address (see src/ingestion/anonymizeIp.ts), never the raw IP. */
  ipHash: z.string().optional(),
};

const playFacts = {
  ...listenerFact,
  source: z.enum(playSources),
  playlistId: z.string().optional(),
  durationSeconds: z.number().min(0),
  completionRate: z.number().min(0).max(100),
  replayed: z.boolean(),
};

export const storedEventSchemas = {
  TrackPlayed: z.object(playFacts),
  /** A play shorter than the skip threshold: stored like any fact, counted as a skip. */
  TrackSkipped: z.object(playFacts),
  TrackLiked: z.object({ ...listenerFact, source: z.enum(playSources).optional() }),
  TrackUnliked: z.object({ ...listenerFact, source: z.enum(playSources).optional() }),
  TrackSaved: z.object({ ...listenerFact, playlistId: z.string() }),
  TrackUnsaved: z.object({ ...listenerFact, playlistId: z.string() }),
  TrackShared: z.object({
    ...listenerFact,
    platform: z.enum(sharePlatforms),
    source: z.enum(playSources).optional(),
  }),
  TrackDownloaded: z.object({ ...listenerFact, source: z.enum(playSources).optional() }),
  TrackRegistered: z.object({
    trackId: z.string(),
    artistId: z.string(),
    title: z.string(),
    durationSeconds: z.number().positive().optional(),
    occurredAt: isoDate,
  }),
  TrackUpdated: z.object({
    trackId: z.string(),
    artistId: z.string(),
    title: z.string(),
    durationSeconds: z.number().positive().optional(),
    occurredAt: isoDate,
  }),
} as const;

export type StoredEventType = keyof typeof storedEventSchemas;
export const storedEventTypes = Object.keys(storedEventSchemas) as StoredEventType[];

/** Facts about a listener's action on a track (every stored type but the catalog's). */
export const listenerEventTypes: readonly StoredEventType[] = [
  'TrackPlayed',
  'TrackSkipped',
  'TrackLiked',
  'TrackUnliked',
  'TrackSaved',
  'TrackUnsaved',
  'TrackShared',
  'TrackDownloaded',
];

export type StoredEventData<T extends StoredEventType = StoredEventType> = z.infer<
  (typeof storedEventSchemas)[T]
>;

/** A stored event as projections see it: parsed, typed, with its place in the log. */
export type TrackEvent = {
  [T in StoredEventType]: {
    type: T;
    id: string;
    data: StoredEventData<T>;
    /** Revision in its `track-<id>` stream. */
    revision: bigint;
    /** Commit position in $all; strictly increasing along the log. */
    position: bigint;
  };
}[StoredEventType];

export function isStoredEventType(type: string): type is StoredEventType {
  return Object.prototype.hasOwnProperty.call(storedEventSchemas, type);
}

/** Validates (and, when versions change, upcasts) data read from the store. */
export function parseStoredEvent(type: StoredEventType, data: unknown): StoredEventData {
  return storedEventSchemas[type].parse(data);
}
