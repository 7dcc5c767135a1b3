import { z } from 'zod';
import {
  MAX_EVENTS_PER_REQUEST,
  ingestionEventSchema,
  type IngestionEvent,
} from '../events/ingestion';
import { trackStream } from '../events/stored';
import type { EventStore } from '../eventstore/eventStore';
import { PayloadTooLargeError, ValidationError, type FieldError } from '../errors';
import {
  toStoredEvent,
  type Catalog,
  type DecidedEvent,
  type ListenerContext,
} from './toStoredEvent';

export type Rejection = { index: number; id?: string; errors: FieldError[] };
export type IngestResult = { accepted: number; duplicates: number; rejected: Rejection[] };

/** How far in the past a live event's corrected timestamp may lie before it is clamped. */
export const MAX_EVENT_AGE_MS = 7 * 24 * 3600 * 1000;

const envelopeSchema = z.union([
  z.array(z.unknown()),
  z.object({ sentAt: z.iso.datetime({ offset: true }).optional(), events: z.array(z.unknown()) }),
]);

export function parseEnvelope(body: unknown): { sentAt?: Date; events: unknown[] } {
  const parsed = envelopeSchema.safeParse(body);
  if (!parsed.success) {
    throw new ValidationError('body must be an array of events or { sentAt?, events: [...] }', [
      { path: 'events', message: 'expected an array' },
    ]);
  }
  const envelope = Array.isArray(parsed.data) ? { events: parsed.data } : parsed.data;
  if (envelope.events.length > MAX_EVENTS_PER_REQUEST) {
    throw new PayloadTooLargeError(
      `at most ${MAX_EVENTS_PER_REQUEST} events per request (got ${envelope.events.length})`,
    );
  }
  const sentAt = 'sentAt' in envelope && envelope.sentAt ? new Date(envelope.sentAt) : undefined;
  return { events: envelope.events, ...(sentAt ? { sentAt } : {}) };
}

/** Client clock → server clock: shift by the batch's measured skew, clamp into the window. */
export function liveClock(receivedAt: Date, sentAt?: Date): (t: Date) => Date {
  const skew = sentAt ? receivedAt.getTime() - sentAt.getTime() : 0;
  const lo = receivedAt.getTime() - MAX_EVENT_AGE_MS;
  return (t) => new Date(Math.min(receivedAt.getTime(), Math.max(lo, t.getTime() + skew)));
}

export type RecordEventsDeps = {
  store: EventStore;
  skipThresholdSeconds: number;
  catalog?: Catalog;
};

/** Validates a batch, decides its facts and appends them, one append per track stream. */
export async function recordEvents(
  deps: RecordEventsDeps,
  rawEvents: unknown[],
  ctx: ListenerContext,
): Promise<IngestResult> {
  const rejected: Rejection[] = [];
  const decided: DecidedEvent[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  rawEvents.forEach((raw, index) => {
    const parsed = ingestionEventSchema.safeParse(raw);
    if (!parsed.success) {
      const id = (raw as { id?: unknown } | null)?.id;
      rejected.push({
        index,
        ...(typeof id === 'string' ? { id } : {}),
        errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
      return;
    }
    const event: IngestionEvent = parsed.data;
    if (seen.has(event.id)) {
      duplicates += 1;
      return;
    }
    seen.add(event.id);
    decided.push(toStoredEvent(event, ctx, deps));
  });

  const byStream = new Map<string, DecidedEvent[]>();
  for (const e of decided) {
    const stream = trackStream(e.data.trackId);
    byStream.set(stream, [...(byStream.get(stream) ?? []), e]);
  }
  await Promise.all(
    [...byStream].map(([stream, events]) => deps.store.append(stream, events, 'any')),
  );
  return { accepted: decided.length, duplicates, rejected };
}
