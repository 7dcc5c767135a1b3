import { z } from 'zod';
import {
  MAX_EVENTS_PER_REQUEST,
  ingestionEventSchema,
  type IngestionEvent,
} from '../events/ingestion';
import { trackStream } from '../events/stored';
import type { NewEvent } from '../eventstore/eventStore';
import { PayloadTooLargeError, ValidationError, type FieldError } from '../errors';
import type { CatalogCache } from './catalogCache';
import { toStoredEvent, type ListenerContext } from './toStoredEvent';
import type { StreamWriter } from './writerWorker';

export type Rejection = { index: number; id?: string; errors: FieldError[] };
export type IngestResult = { accepted: number; duplicates: number; rejected: Rejection[] };

/** Default for how far in the past a live event's corrected timestamp may lie before it is clamped. */
export const MAX_EVENT_AGE_MS = 7 * 24 * 3600 * 1000;

const envelopeSchema = z.union([
  z.array(z.unknown()),
  z.object({ sentAt: z.iso.datetime({ offset: true }).optional(), events: z.array(z.unknown()) }),
]);

/** `[...]` or `{ sentAt?, events: [...] }`, at most `max` events (413 beyond). */
export function parseEnvelope(
  body: unknown,
  max = MAX_EVENTS_PER_REQUEST,
): { sentAt?: Date; events: unknown[] } {
  const parsed = envelopeSchema.safeParse(body);
  if (!parsed.success) {
    const sentAtBad = parsed.error.issues.some((i) => i.path[0] === 'sentAt');
    throw new ValidationError('body must be an array of events or { sentAt?, events: [...] }', [
      sentAtBad
        ? { path: 'sentAt', message: 'expected an ISO 8601 date-time with offset' }
        : { path: 'events', message: 'expected an array' },
    ]);
  }
  const envelope = Array.isArray(parsed.data) ? { events: parsed.data } : parsed.data;
  if (envelope.events.length > max) {
    throw new PayloadTooLargeError(
      `at most ${max} events per request (got ${envelope.events.length})`,
    );
  }
  const sentAt = 'sentAt' in envelope && envelope.sentAt ? new Date(envelope.sentAt) : undefined;
  return { events: envelope.events, ...(sentAt ? { sentAt } : {}) };
}

/**
 * Client clock → server clock: shift by the batch's measured skew (receivedAt − sentAt), then
 * clamp into [receivedAt − maxAgeMs, receivedAt]: never the future, never the distant past.
 */
export function liveClock(
  receivedAt: Date,
  sentAt?: Date,
  maxAgeMs = MAX_EVENT_AGE_MS,
): (t: Date) => Date {
  const skew = sentAt ? receivedAt.getTime() - sentAt.getTime() : 0;
  const lo = receivedAt.getTime() - maxAgeMs;
  return (t) => new Date(Math.min(receivedAt.getTime(), Math.max(lo, t.getTime() + skew)));
}

export type RecordEventsDeps = {
  writer: StreamWriter;
  skipThresholdSeconds: number;
  catalog?: CatalogCache;
};

export type BatchContext = ListenerContext & {
  /** Extra checks per valid event (import: not in the future). */
  check?: (event: IngestionEvent) => FieldError[];
  /** A trusted listener id carried by the raw event (import only). */
  listenerOf?: (raw: unknown) => string | undefined;
};

type Valid = { index: number; raw: unknown; event: IngestionEvent };

function idOf(raw: unknown): { id?: string } {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? { id: id.slice(0, 128) } : {};
}

function validate(rawEvents: unknown[], ctx: BatchContext) {
  const rejected: Rejection[] = [];
  const valid: Valid[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  rawEvents.forEach((raw, index) => {
    const parsed = ingestionEventSchema.safeParse(raw);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({
        path: i.path.join('.') || 'event',
        message: i.message,
      }));
      rejected.push({ index, ...idOf(raw), errors });
      return;
    }
    const errors = ctx.check?.(parsed.data) ?? [];
    if (errors.length > 0) {
      rejected.push({ index, id: parsed.data.id, errors });
      return;
    }
    // The same id twice in one request: the second is a duplicate, whatever its track.
    if (seen.has(parsed.data.id)) duplicates += 1;
    else {
      seen.add(parsed.data.id);
      valid.push({ index, raw, event: parsed.data });
    }
  });
  return { rejected, valid, duplicates };
}

/**
 * Validates a batch, decides its facts and appends them through the deduplicating writer, one
 * append per track stream. Resolves once every accepted event is durable; rejects (503) if the
 * store fails, with nothing written that a retry would count twice.
 */
export async function recordEvents(
  deps: RecordEventsDeps,
  rawEvents: unknown[],
  ctx: BatchContext,
): Promise<IngestResult> {
  const { rejected, valid, duplicates } = validate(rawEvents, ctx);
  const catalog = deps.catalog;
  if (catalog) {
    await catalog.prefetch(
      valid.filter((v) => v.event.type === 'play').map((v) => v.event.trackId),
    );
  }
  const options = {
    skipThresholdSeconds: deps.skipThresholdSeconds,
    ...(catalog ? { catalog: (id: string) => catalog.get(id) } : {}),
  };
  const byStream = new Map<string, NewEvent[]>();
  const shared = { ...ctx, receivedAtIso: ctx.receivedAt.toISOString() };
  for (const v of valid) {
    const listener = ctx.listenerOf?.(v.raw);
    const decided = toStoredEvent(
      v.event,
      listener ? { ...shared, userId: listener } : shared,
      options,
    );
    const stream = trackStream(v.event.trackId);
    const list = byStream.get(stream);
    if (list) list.push(decided);
    else byStream.set(stream, [decided]);
  }
  const outcomes = await Promise.all(
    [...byStream].map(([stream, events]) => deps.writer.write(stream, events)),
  );
  let accepted = 0;
  let dup = duplicates;
  for (const list of outcomes) {
    for (const o of list) {
      if (o === 'accepted') accepted += 1;
      else dup += 1;
    }
  }
  return { accepted, duplicates: dup, rejected };
}
