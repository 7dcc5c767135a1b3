import type { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import type { DecodedRecord } from '../log/record';
import { invalidArgument } from './errors';
import { RequestError } from './convert';

/** The real server's search window when the client asks for "count" (no explicit max). */
const DEFAULT_MAX_SEARCH_WINDOW = 32;

export interface EventFilter {
  matches(rec: DecodedRecord): boolean;
  /** Send a checkpoint after this many events have been looked at. */
  checkpointInterval: number;
}

/** Server-side $all filter: on stream name or event type, by prefixes and/or a regex. */
export function filterFrom(o: ReadReq.Options): EventFilter | null {
  if (!o.hasFilter()) return null;
  const f = o.getFilter()!;
  const onStream = f.hasStreamIdentifier();
  const expr = onStream ? f.getStreamIdentifier() : f.getEventType();
  if (!expr) throw new RequestError(invalidArgument('filter expression is required'));
  const prefixes = expr.getPrefixList();
  let regex: RegExp | null = null;
  if (expr.getRegex() !== '') {
    try {
      regex = new RegExp(expr.getRegex());
    } catch {
      throw new RequestError(invalidArgument(`invalid filter regex ${expr.getRegex()}`));
    }
  }
  const window = f.hasMax() ? f.getMax() : DEFAULT_MAX_SEARCH_WINDOW;
  const multiplier = Math.max(1, f.getCheckpointintervalmultiplier());
  // Prefixes are compared as UTF-8 bytes against the record (a string prefix is a byte prefix),
  // so a catch-up through millions of events decodes no stream name unless a regex needs it.
  const prefixBytes = prefixes.map((p) => Buffer.from(p, 'utf8'));
  return {
    checkpointInterval: Math.max(1, window * multiplier),
    matches(rec) {
      const start = onStream ? rec.streamStart : rec.typeStart;
      const length = onStream ? rec.streamLength : rec.typeLength;
      for (const p of prefixBytes) if (hasPrefix(rec.buf, start, length, p)) return true;
      if (regex !== null && regex.test(onStream ? rec.stream : rec.type)) return true;
      return prefixes.length === 0 && regex === null;
    },
  };
}

function hasPrefix(buf: Buffer, start: number, length: number, prefix: Buffer): boolean {
  if (prefix.length > length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}
