import { FLAG_TOMBSTONE } from '../log/record';
import type { DecodedRecord } from '../log/record';
import { TOMBSTONE_REVISION } from '../store/types';

/**
 * Encodes `ReadResp { event: ReadEvent { event: RecordedEvent, commit_position } }` straight into
 * protobuf wire format from a log record: one buffer, no intermediate message objects. Reads and
 * subscriptions send millions of these, so this is the server's hot path. Field numbers are those
 * of streams.proto as shipped with the client (generated/streams_pb.js).
 */
export function encodeEventResp(rec: DecodedRecord, structuredIds: boolean): Buffer {
  return encodeReadEvent(rec, null, structuredIds);
}

/** `ReadEvent { event?, link?, commit_position }` as one buffer (see encodeReadEventInto). */
export function encodeReadEvent(
  event: DecodedRecord | null,
  link: DecodedRecord | null,
  structuredIds: boolean,
): Buffer {
  let out: Buffer | null = null;
  encodeReadEventInto(event, link, structuredIds, (size) => {
    out = Buffer.allocUnsafe(size);
    return [out, 0];
  });
  return out!;
}

/**
 * Where an encoder writes a message of `size` bytes: a buffer and the offset to start at. Lets a
 * caller encode many messages back to back into one buffer (see sink.ts).
 */
export type Reserve = (size: number) => [buf: Buffer, at: number];

/** Same as encodeEventResp, into the space `reserve` returns. */
export function encodeEventRespInto(
  rec: DecodedRecord,
  structuredIds: boolean,
  reserve: Reserve,
): void {
  encodeReadEventInto(rec, null, structuredIds, reserve);
}

/**
 * `ReadResp { event: ReadEvent { event = 1, link = 2, commit_position = 3 } }`, as EventStoreDB
 * sends a resolved event: a plain event has `event` only; a resolved link has the target as
 * `event` and the `$>` record as `link`; a link whose target is gone has `link` only. The commit
 * position is the original record's: the link's when there is one.
 */
export function encodeReadEventInto(
  event: DecodedRecord | null,
  link: DecodedRecord | null,
  structuredIds: boolean,
  reserve: Reserve,
): void {
  const position = (link ?? event)!.position;
  const eventCreated = event === null ? '' : createdTicks(event);
  const linkCreated = link === null ? '' : createdTicks(link);
  const eventSize = event === null ? 0 : recordedSize(event, structuredIds, eventCreated);
  const linkSize = link === null ? 0 : recordedSize(link, structuredIds, linkCreated);
  const readEvent =
    (event === null ? 0 : 1 + varintSize(eventSize) + eventSize) +
    (link === null ? 0 : 1 + varintSize(linkSize) + linkSize) +
    1 +
    varintSize(position);
  const total = 1 + varintSize(readEvent) + readEvent;
  const [buf, start] = reserve(total);
  const w = new Writer(buf, start);
  w.tag(1, 2).varint(readEvent);
  if (event !== null)
    writeRecorded(w.tag(1, 2).varint(eventSize), event, structuredIds, eventCreated);
  if (link !== null) writeRecorded(w.tag(2, 2).varint(linkSize), link, structuredIds, linkCreated);
  w.tag(3, 0).varint(position);
  if (w.at - start !== total)
    throw new Error(`ReadResp size mismatch: ${w.at - start} != ${total}`);
}

/** Size of `RecordedEvent` for `rec` (without its own tag and length). */
function recordedSize(rec: DecodedRecord, structuredIds: boolean, created: string): number {
  const streamLen = rec.streamLength;
  const typeLen = rec.typeLength;
  const ctLen = rec.contentTypeLength;
  const dataLen = rec.dataLength;
  const metaLen = rec.metadataLength;
  const position = rec.position;
  const revision = rec.flags & FLAG_TOMBSTONE ? TOMBSTONE_REVISION_BIG : rec.revision;
  const idSize = structuredIds ? structuredUuidSize(rec.buf, rec.idStart) : 38;
  const e0 = entrySize(4, typeLen);
  const e1 = entrySize(12, ctLen);
  const e2 = entrySize(7, created.length);
  const streamIdSize = 1 + varintSize(streamLen) + streamLen;
  const posSize = 1 + varintSize(position);
  let recorded =
    1 +
    varintSize(idSize) +
    idSize +
    1 +
    varintSize(streamIdSize) +
    streamIdSize +
    1 +
    varintSize(revision) +
    2 * posSize +
    3 +
    varintSize(e0) +
    e0 +
    varintSize(e1) +
    e1 +
    varintSize(e2) +
    e2;
  if (metaLen > 0) recorded += 1 + varintSize(metaLen) + metaLen;
  if (dataLen > 0) recorded += 1 + varintSize(dataLen) + dataLen;
  return recorded;
}

/** `RecordedEvent` fields of `rec`, copied from the log record's bytes. */
function writeRecorded(
  w: Writer,
  rec: DecodedRecord,
  structuredIds: boolean,
  created: string,
): void {
  const src = rec.buf;
  const streamStart = rec.streamStart;
  const streamLen = rec.streamLength;
  const typeStart = streamStart + streamLen;
  const typeLen = rec.typeLength;
  const ctStart = typeStart + typeLen;
  const ctLen = rec.contentTypeLength;
  const dataStart = ctStart + ctLen;
  const dataLen = rec.dataLength;
  const metaLen = rec.metadataLength;
  const position = rec.position;
  const revision = rec.flags & FLAG_TOMBSTONE ? TOMBSTONE_REVISION_BIG : rec.revision;
  const idSize = structuredIds ? structuredUuidSize(src, rec.idStart) : 38;
  w.tag(1, 2).varint(idSize);
  if (structuredIds) w.structuredUuid(src, rec.idStart);
  else w.stringUuid(src, rec.idStart);
  w.tag(2, 2)
    .varint(1 + varintSize(streamLen) + streamLen)
    .tag(3, 2)
    .varint(streamLen)
    .copy(src, streamStart, streamLen);
  w.tag(3, 0).varint(revision);
  w.tag(4, 0).varint(position);
  w.tag(5, 0).varint(position);
  w.tag(6, 2)
    .varint(entrySize(4, typeLen))
    .key(KEY_TYPE)
    .tag(2, 2)
    .varint(typeLen)
    .copy(src, typeStart, typeLen);
  w.tag(6, 2)
    .varint(entrySize(12, ctLen))
    .key(KEY_CONTENT_TYPE)
    .tag(2, 2)
    .varint(ctLen)
    .copy(src, ctStart, ctLen);
  w.tag(6, 2)
    .varint(entrySize(7, created.length))
    .key(KEY_CREATED)
    .tag(2, 2)
    .varint(created.length)
    .ascii(created);
  if (metaLen > 0)
    w.tag(7, 2)
      .varint(metaLen)
      .copy(src, dataStart + dataLen, metaLen);
  if (dataLen > 0) w.tag(8, 2).varint(dataLen).copy(src, dataStart, dataLen);
}

/** `created` metadata: 100 ns ticks since the Unix epoch, from the record's milliseconds. */
const createdTicks = (rec: DecodedRecord): string => `${rec.created}0000`;

const TOMBSTONE_REVISION_BIG = BigInt(TOMBSTONE_REVISION);
/** Map entry keys, pre-encoded as `1: key` (tag + length + bytes). */
const KEY_TYPE = Buffer.from([0x0a, 4, ...Buffer.from('type')]);
const KEY_CONTENT_TYPE = Buffer.from([0x0a, 12, ...Buffer.from('content-type')]);
const KEY_CREATED = Buffer.from([0x0a, 7, ...Buffer.from('created')]);
const HEX_DIGITS = Buffer.from('0123456789abcdef');

const toUnsigned = (v: bigint): bigint => (v < 0n ? v + (1n << 64n) : v);

/** Size of UUID { structured = 1 { msb = 1, lsb = 2 } }. */
function structuredUuidSize(src: Buffer, idStart: number): number {
  const inner =
    2 +
    varintSize(toUnsigned(src.readBigInt64BE(idStart))) +
    varintSize(toUnsigned(src.readBigInt64BE(idStart + 8)));
  return 1 + varintSize(inner) + inner;
}

function entrySize(keyLen: number, valueLen: number): number {
  return 2 + keyLen + 1 + varintSize(valueLen) + valueLen;
}

export function varintSize(v: number | bigint): number {
  if (typeof v === 'bigint') {
    let n = 1;
    while (v >= 128n) {
      v >>= 7n;
      n++;
    }
    return n;
  }
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

export class Writer {
  constructor(
    readonly buf: Buffer,
    public at = 0,
  ) {}

  tag(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType);
  }

  varint(v: number | bigint): this {
    if (typeof v === 'bigint') {
      while (v >= 128n) {
        this.buf[this.at++] = Number(v & 127n) | 128;
        v >>= 7n;
      }
      this.buf[this.at++] = Number(v);
      return this;
    }
    while (v >= 128) {
      this.buf[this.at++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.at++] = v;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.buf.set(b, this.at);
    this.at += b.length;
    return this;
  }

  utf8(s: string, len: number): this {
    this.buf.write(s, this.at, len, 'utf8');
    this.at += len;
    return this;
  }

  copy(src: Buffer, start: number, length: number): this {
    src.copy(this.buf, this.at, start, start + length);
    this.at += length;
    return this;
  }

  key(encoded: Buffer): this {
    return this.bytes(encoded);
  }

  ascii(s: string): this {
    for (let i = 0; i < s.length; i++) this.buf[this.at++] = s.charCodeAt(i);
    return this;
  }

  /** UUID { string = 2 } from 16 id bytes, formatted 8-4-4-4-12 without intermediate strings. */
  stringUuid(src: Buffer, idStart: number): this {
    const b = this.buf;
    b[this.at++] = (2 << 3) | 2;
    b[this.at++] = 36;
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) b[this.at++] = 45;
      const v = src[idStart + i]!;
      b[this.at++] = HEX_DIGITS[v >> 4]!;
      b[this.at++] = HEX_DIGITS[v & 15]!;
    }
    return this;
  }

  structuredUuid(src: Buffer, idStart: number): this {
    const msb = toUnsigned(src.readBigInt64BE(idStart));
    const lsb = toUnsigned(src.readBigInt64BE(idStart + 8));
    const inner = 2 + varintSize(msb) + varintSize(lsb);
    return this.tag(1, 2).varint(inner).tag(1, 0).varint(msb).tag(2, 0).varint(lsb);
  }
}
