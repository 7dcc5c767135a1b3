import type { DecodedRecord } from '../log/record';
import type { Store } from '../store/eventStore';
import { isLink, LinkResolver } from '../store/linkResolver';
import type { Sink } from './sink';

/** Sends one record to a read or subscription; same contract as `Sink.event()`. */
export type WriteEvent = (rec: DecodedRecord) => boolean;

/**
 * How a read or subscription sends its records: as they are, or, with `resolveLinkTos`, each `$>`
 * link as its target plus the link (or the link alone when the target is gone). Filters and
 * counts apply to the records themselves, the links, as on EventStoreDB.
 */
export function eventWriter(
  store: Store,
  sink: Sink<unknown>,
  structured: boolean,
  resolveLinks: boolean,
): WriteEvent {
  if (!resolveLinks) return (rec) => sink.event(rec, structured);
  const links = new LinkResolver(store);
  return (rec) => {
    if (!isLink(rec)) return sink.event(rec, structured);
    const r = links.resolve(rec);
    if (r.kind === 'plain') return sink.event(rec, structured);
    return sink.resolvedLink(r.kind === 'target' ? r.event : null, rec, structured);
  };
}
