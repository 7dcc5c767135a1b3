/** Minimal protobuf wire-format reader for the request messages on the hot path. */
export class PbReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Unsigned varint as a number; exact below 2^53. */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
  }

  varintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
  }

  /** A length-delimited field's bounds; advances past it. */
  delimited(): [start: number, end: number] {
    const len = this.varint();
    const start = this.pos;
    this.pos += len;
    if (this.pos > this.end) throw new Error('truncated field');
    return [start, this.pos];
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        return;
      case 2:
        this.delimited();
        return;
      case 5:
        this.pos += 4;
        return;
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
  }
}

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i;
  HEX[97 + i] = 10 + i;
}

/**
 * Parses a UUID string (with or without dashes) from bytes [start, end) into 16 bytes, or returns
 * null when it is not one.
 */
export function parseUuidText(buf: Buffer, start: number, end: number): Buffer | null {
  const out = Buffer.allocUnsafe(16);
  let n = 0;
  let hi = -1;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c === 45) continue; // '-'
    const v = c < 128 ? HEX[c]! : -1;
    if (v < 0 || n >= 16) return null;
    if (hi < 0) hi = v;
    else {
      out[n++] = (hi << 4) | v;
      hi = -1;
    }
  }
  return n === 16 && hi < 0 ? out : null;
}

/** event_store.client.UUID { Structured structured = 1 { int64 msb = 1; int64 lsb = 2 }; string string = 2 } */
export function readUuid(r: PbReader, start: number, end: number): Buffer | null {
  const u = new PbReader(r.buf, start, end);
  while (!u.done) {
    const tag = u.varint();
    if (tag === ((2 << 3) | 2)) {
      const [s, e] = u.delimited();
      return parseUuidText(u.buf, s, e);
    }
    if (tag === ((1 << 3) | 2)) {
      const [s, e] = u.delimited();
      const st = new PbReader(u.buf, s, e);
      const out = Buffer.alloc(16);
      while (!st.done) {
        const t = st.varint();
        if (t === ((1 << 3) | 0)) out.writeBigUInt64BE(BigInt.asUintN(64, st.varintBig()), 0);
        else if (t === ((2 << 3) | 0)) out.writeBigUInt64BE(BigInt.asUintN(64, st.varintBig()), 8);
        else st.skip(t & 7);
      }
      return out;
    }
    u.skip(tag & 7);
  }
  return null;
}
