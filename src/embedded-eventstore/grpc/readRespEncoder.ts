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
  const id = structuredIds ? structuredUuid(rec.id) : stringUuid(rec.id);
  const streamLen = Buffer.byteLength(rec.stream);
  const typeLen = Buffer.byteLength(rec.type);
  const created = `${rec.created}0000`; // 100 ns ticks since the Unix epoch
  const revision = rec.flags & FLAG_TOMBSTONE ? BigInt(TOMBSTONE_REVISION) : rec.revision;
  const entries = [
    entrySize(4, typeLen),
    entrySize(12, rec.contentType.length),
    entrySize(7, created.length),
  ];
  const streamIdSize = 1 + varintSize(streamLen) + streamLen;
  let recorded =
    1 +
    varintSize(id.length) +
    id.length +
    1 +
    varintSize(streamIdSize) +
    streamIdSize +
    1 +
    varintSize(revision) +
    2 * (1 + varintSize(rec.position));
  for (const e of entries) recorded += 1 + varintSize(e) + e;
  if (rec.metadata.length > 0)
    recorded += 1 + varintSize(rec.metadata.length) + rec.metadata.length;
  if (rec.data.length > 0) recorded += 1 + varintSize(rec.data.length) + rec.data.length;
  const readEvent = 1 + varintSize(recorded) + recorded + 1 + varintSize(rec.position);
  const total = 1 + varintSize(readEvent) + readEvent;
  const w = new Writer(Buffer.allocUnsafe(total));
  w.tag(1, 2).varint(readEvent);
  w.tag(1, 2).varint(recorded);
  w.tag(1, 2).varint(id.length).bytes(id);
  w.tag(2, 2).varint(streamIdSize).tag(3, 2).varint(streamLen).utf8(rec.stream, streamLen);
  w.tag(3, 0).varint(revision);
  w.tag(4, 0).varint(rec.position);
  w.tag(5, 0).varint(rec.position);
  w.tag(6, 2).varint(entries[0]!).entry('type', rec.type, typeLen);
  w.tag(6, 2).varint(entries[1]!).entry('content-type', rec.contentType, rec.contentType.length);
  w.tag(6, 2).varint(entries[2]!).entry('created', created, created.length);
  if (rec.metadata.length > 0) w.tag(7, 2).varint(rec.metadata.length).bytes(rec.metadata);
  if (rec.data.length > 0) w.tag(8, 2).varint(rec.data.length).bytes(rec.data);
  w.tag(3, 0).varint(rec.position);
  if (w.at !== total) throw new Error(`ReadResp size mismatch: ${w.at} != ${total}`);
  return w.buf;
}

function entrySize(keyLen: number, valueLen: number): number {
  return 1 + varintSize(keyLen) + keyLen + 1 + varintSize(valueLen) + valueLen;
}

/** UUID { string value = 2 } */
function stringUuid(id: Buffer): Buffer {
  const hex = id.toString('hex', 0, 16);
  const s = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const out = Buffer.allocUnsafe(38);
  out[0] = (2 << 3) | 2;
  out[1] = 36;
  out.write(s, 2, 'latin1');
  return out;
}

/** UUID { Structured structured = 1 { int64 most = 1; int64 least = 2 } } */
function structuredUuid(id: Buffer): Buffer {
  const most = id.readBigInt64BE(0);
  const least = id.readBigInt64BE(8);
  const toU = (v: bigint): bigint => (v < 0n ? v + (1n << 64n) : v);
  const inner = 1 + varintSize(toU(most)) + 1 + varintSize(toU(least));
  const w = new Writer(Buffer.allocUnsafe(2 + inner));
  w.tag(1, 2).varint(inner).tag(1, 0).varint(toU(most)).tag(2, 0).varint(toU(least));
  return w.buf;
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
  at = 0;
  constructor(readonly buf: Buffer) {}

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

  entry(key: string, value: string, valueLen: number): this {
    this.tag(1, 2).varint(key.length).utf8(key, key.length);
    return this.tag(2, 2).varint(valueLen).utf8(value, valueLen);
  }
}
