import fc from 'fast-check';
import { ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { decodeRecord, FLAG_TOMBSTONE, recordSize, writeRecord } from '../log/record';
import { encodeEventResp, encodeReadEvent } from './readRespEncoder';

/** The hand-written encoder must produce exactly what the client's generated decoder expects. */
describe('encodeEventResp', () => {
  const uuidText = (b: Uint8Array) => {
    const h = Buffer.from(b).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };

  it('round-trips every field through the generated ReadResp decoder', () => {
    fc.assert(
      fc.property(
        fc.record({
          stream: fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
          type: fc.string({ maxLength: 30, unit: 'grapheme' }),
          json: fc.boolean(),
          data: fc.uint8Array({ maxLength: 300 }),
          metadata: fc.uint8Array({ maxLength: 50 }),
          id: fc.uint8Array({ minLength: 16, maxLength: 16 }),
          revision: fc.integer({ min: 0, max: 2 ** 40 }),
          position: fc.integer({ min: 1, max: 2 ** 45 }),
          created: fc.integer({ min: 0, max: 4102444800000 }),
          tombstone: fc.boolean(),
          structured: fc.boolean(),
        }),
        (r) => {
          const event = {
            id: Buffer.from(r.id),
            type: r.type,
            contentType: r.json ? 'application/json' : 'application/octet-stream',
            data: r.data,
            metadata: r.metadata,
          };
          const buf = Buffer.alloc(recordSize(r.stream, event));
          const flags = r.tombstone ? FLAG_TOMBSTONE : 0;
          writeRecord(buf, 0, {
            stream: r.stream,
            revision: r.revision,
            created: r.created,
            flags,
            event,
          });
          const resp = ReadResp.deserializeBinary(
            encodeEventResp(decodeRecord(buf, 0, r.position), r.structured),
          );
          const ev = resp.getEvent()!;
          const rec = ev.getEvent()!;
          expect(ev.getCommitPosition()).toBe(String(r.position));
          expect(Buffer.from(rec.getStreamIdentifier()!.getStreamName_asU8()).toString()).toBe(
            r.stream,
          );
          expect(rec.getStreamRevision()).toBe(
            r.tombstone ? '9223372036854775807' : String(r.revision),
          );
          expect(rec.getCommitPosition()).toBe(String(r.position));
          expect(rec.getPreparePosition()).toBe(String(r.position));
          const meta = rec.getMetadataMap();
          expect(meta.get('type')).toBe(r.type);
          expect(meta.get('content-type')).toBe(event.contentType);
          expect(meta.get('created')).toBe(`${r.created}0000`);
          expect(Buffer.from(rec.getData_asU8())).toEqual(Buffer.from(r.data));
          expect(Buffer.from(rec.getCustomMetadata_asU8())).toEqual(Buffer.from(r.metadata));
          const id = rec.getId()!;
          if (r.structured) {
            const st = id.getStructured()!;
            const b = Buffer.alloc(16);
            b.writeBigInt64BE(BigInt(st.getMostSignificantBits()), 0);
            b.writeBigInt64BE(BigInt(st.getLeastSignificantBits()), 8);
            expect(uuidText(b)).toBe(uuidText(r.id));
          } else {
            expect(id.getString()).toBe(uuidText(r.id));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('encodes a resolved link as event + link, and a dangling one as the link alone', () => {
    const record = (stream: string, type: string, revision: number, position: number) => {
      const event = {
        id: Buffer.alloc(16, revision + 1),
        type,
        contentType: 'application/octet-stream',
        data: Buffer.from(`${stream}:${revision}`),
        metadata: Buffer.alloc(0),
      };
      const buf = Buffer.alloc(recordSize(stream, event));
      writeRecord(buf, 0, { stream, revision, created: 1, flags: 0, event });
      return decodeRecord(buf, 0, position);
    };
    const target = record('target', 'A', 3, 100);
    const link = record('links', '$>', 0, 900);
    const both = ReadResp.deserializeBinary(encodeReadEvent(target, link, false)).getEvent()!;
    expect(both.getEvent()!.getMetadataMap().get('type')).toBe('A');
    expect(both.getEvent()!.getStreamRevision()).toBe('3');
    expect(both.getEvent()!.getCommitPosition()).toBe('100');
    expect(both.getLink()!.getMetadataMap().get('type')).toBe('$>');
    expect(both.getLink()!.getCommitPosition()).toBe('900');
    expect(both.getCommitPosition()).toBe('900');
    const alone = ReadResp.deserializeBinary(encodeReadEvent(null, link, true)).getEvent()!;
    expect(alone.hasEvent()).toBe(false);
    expect(Buffer.from(alone.getLink()!.getData_asU8()).toString()).toBe('links:0');
    expect(alone.getCommitPosition()).toBe('900');
  });
});
