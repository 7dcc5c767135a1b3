import type { DecodedRecord } from '../log/record';
import type { Store } from './eventStore';
import { RandomReader } from './reader';
import { firstVisibleRevision, isExpired } from './streamMeta';

/** `$>`: a link event, whose data `<revision>@<stream>` points at another event. */
const LINK_TYPE = [0x24, 0x3e];
const REVISION_TEXT = /^\s*[+-]?\d+\s*$/;

/** True when `rec` is a `$>` event (compared on the record's bytes, no string decoded). */
export function isLink(rec: DecodedRecord): boolean {
  const at = rec.typeStart;
  return rec.typeLength === 2 && rec.buf[at] === LINK_TYPE[0] && rec.buf[at + 1] === LINK_TYPE[1];
}

/**
 * What a read with `resolveLinkTos` makes of a `$>` event, as EventStoreDB's storage reader does:
 * - `target`: the linked event, readable now (sent as `event`, the link as `link`);
 * - `missing`: the data parses but the target cannot be read (stream missing, deleted or
 *   tombstoned, revision beyond its end or hidden by `$tb`/`$maxCount`/`$maxAge`): the link alone;
 * - `plain`: the revision is not a number: the link is an ordinary event.
 */
export type LinkResolution =
  { kind: 'target'; event: DecodedRecord } | { kind: 'missing' } | { kind: 'plain' };

export class LinkResolver {
  private readonly reader: RandomReader;

  constructor(private readonly store: Store) {
    this.reader = new RandomReader(store.log);
  }

  resolve(link: DecodedRecord): LinkResolution {
    const text = link.data.toString('utf8');
    const at = text.indexOf('@');
    const revisionText = at < 0 ? text : text.slice(0, at);
    if (!REVISION_TEXT.test(revisionText)) return { kind: 'plain' };
    if (at < 0) return { kind: 'missing' };
    const event = this.read(text.slice(at + 1), Number(revisionText));
    return event ? { kind: 'target', event } : { kind: 'missing' };
  }

  /** The event at `revision` (-1: the last) of `stream` if a read of that stream would return it. */
  private read(stream: string, revision: number): DecodedRecord | null {
    const s = this.store.index.get(stream);
    const durableEnd = this.store.durableEnd;
    if (!s || s.softDeleted || (s.tombstone >= 0 && s.tombstone < durableEnd)) return null;
    const last = s.lastDurableRevision(durableEnd);
    const r = revision === -1 ? last : revision;
    if (r < firstVisibleRevision(s.meta, last) || r > last) return null;
    const rec = this.reader.at(s.positions[r]!);
    return isExpired(s.meta, rec.created, this.store.clock()) ? null : rec;
  }
}
