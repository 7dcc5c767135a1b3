import { PayloadTooLargeError, ValidationError } from '../errors';
import { recordEvents, type IngestResult, type RecordEventsDeps } from './recordEvents';

export const MAX_IMPORT_EVENTS = 10_000;

/** A line that is not JSON stays in the batch as this marker, so it is rejected at its index. */
const MALFORMED = Symbol('malformed');
type Malformed = { [MALFORMED]: string };

/**
 * History import body: a JSON array, `{ events: [...] }`, or NDJSON (one event per line, blank
 * lines ignored). A malformed NDJSON line is rejected at its index; malformed JSON fails the body.
 */
export function parseImportBody(text: string, ndjson: boolean): unknown[] {
  let events: unknown[];
  if (ndjson) {
    events = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, i) => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return { [MALFORMED]: `line ${i + 1} is not valid JSON` } satisfies Malformed;
        }
      });
  } else {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ValidationError('body is not valid JSON', [
        { path: 'body', message: 'malformed JSON' },
      ]);
    }
    const list = Array.isArray(body) ? body : (body as { events?: unknown } | null)?.events;
    if (!Array.isArray(list)) {
      throw new ValidationError('body must be an array of events, { events: [...] } or NDJSON', [
        { path: 'events', message: 'expected an array' },
      ]);
    }
    events = list;
  }
  if (events.length > MAX_IMPORT_EVENTS) {
    throw new PayloadTooLargeError(
      `at most ${MAX_IMPORT_EVENTS} events per import request (got ${events.length})`,
    );
  }
  return events;
}

function trustedUserId(raw: unknown): string | undefined {
  const userId = (raw as { userId?: unknown } | null)?.userId;
  return typeof userId === 'string' && userId.length > 0 && userId.length <= 128
    ? userId
    : undefined;
}

/**
 * Imports history: timestamps are taken as given (never skew-corrected or clamped) but must not
 * lie in the future; the listener is the event's `userId` (trusted: admins only), else its
 * anonymous id, else its session. No address or user agent is recorded. Same dedup as live events.
 */
export async function importEvents(
  deps: RecordEventsDeps,
  events: unknown[],
  receivedAt: Date,
): Promise<IngestResult> {
  const malformed: { index: number; message: string }[] = [];
  const wellFormed = events.map((raw, index) => {
    if (raw && typeof raw === 'object' && MALFORMED in raw) {
      malformed.push({ index, message: (raw as Malformed)[MALFORMED] });
      return null;
    }
    return raw;
  });
  const result = await recordEvents(deps, wellFormed, {
    receivedAt,
    correctTime: (t) => t,
    check: (e) =>
      new Date(e.timestamp).getTime() > receivedAt.getTime()
        ? [{ path: 'timestamp', message: 'lies in the future' }]
        : [],
    listenerOf: trustedUserId,
  });
  for (const m of malformed) {
    const r = result.rejected.find((x) => x.index === m.index);
    if (r) r.errors = [{ path: 'line', message: m.message }];
  }
  return result;
}
