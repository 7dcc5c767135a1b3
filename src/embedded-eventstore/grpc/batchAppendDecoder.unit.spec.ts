import fc from 'fast-check';
import { Empty as PbEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';
import { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { BatchAppendReq } from '@eventstore/db-client/generated/streams_pb';
import { decodeBatchAppendReq } from './batchAppendDecoder';

const uuidArb = fc.uuid();

/** Requests are built the way the client builds them (streams/appendToStream/batchAppend.js). */
describe('decodeBatchAppendReq', () => {
  it('decodes what the generated encoder produces', () => {
    fc.assert(
      fc.property(
        fc.record({
          correlation: uuidArb,
          stream: fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }),
          expected: fc.oneof(
            fc.constant<'any' | 'no_stream' | 'stream_exists'>('any'),
            fc.constant<'any' | 'no_stream' | 'stream_exists'>('no_stream'),
            fc.constant<'any' | 'no_stream' | 'stream_exists'>('stream_exists'),
            fc.integer({ min: 0, max: 2 ** 40 }),
          ),
          withOptions: fc.boolean(),
          deadlineMs: fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 })),
          isFinal: fc.boolean(),
          events: fc.array(
            fc.record({
              id: uuidArb,
              type: fc.string({ maxLength: 20 }),
              data: fc.uint8Array({ maxLength: 100 }),
              metadata: fc.uint8Array({ maxLength: 20 }),
            }),
            { maxLength: 5 },
          ),
        }),
        (r) => {
          const req = new BatchAppendReq();
          const cid = new UUID();
          cid.setString(r.correlation);
          req.setCorrelationId(cid);
          if (r.withOptions) {
            const o = new BatchAppendReq.Options();
            const sid = new StreamIdentifier();
            sid.setStreamName(Buffer.from(r.stream));
            o.setStreamIdentifier(sid);
            if (r.expected === 'any') o.setAny(new PbEmpty());
            else if (r.expected === 'no_stream') o.setNoStream(new PbEmpty());
            else if (r.expected === 'stream_exists') o.setStreamExists(new PbEmpty());
            else o.setStreamPosition(String(r.expected));
            if (r.deadlineMs !== null) o.setDeadline(Timestamp.fromDate(new Date(r.deadlineMs)));
            req.setOptions(o);
          }
          for (const e of r.events) {
            const m = new BatchAppendReq.ProposedMessage();
            const id = new UUID();
            id.setString(e.id);
            m.setId(id);
            m.getMetadataMap().set('type', e.type);
            m.getMetadataMap().set('content-type', 'application/json');
            m.setData(e.data);
            m.setCustomMetadata(e.metadata);
            req.addProposedMessages(m);
          }
          req.setIsFinal(r.isFinal);
          const got = decodeBatchAppendReq(Buffer.from(req.serializeBinary()));
          expect(UUID.deserializeBinary(got.correlationId).getString()).toBe(r.correlation);
          expect(got.isFinal).toBe(r.isFinal);
          expect(got.error).toBeNull();
          if (r.withOptions) {
            const expected =
              typeof r.expected === 'number'
                ? { kind: 'revision', revision: r.expected }
                : { kind: r.expected };
            const deadline = r.deadlineMs === null ? null : { kind: 'at', ms: r.deadlineMs };
            expect(got.options).toEqual({ stream: r.stream, expected, deadline });
          } else expect(got.options).toBeNull();
          expect(
            got.events.map((e) => ({
              id: e.id.toString('hex'),
              type: e.type,
              contentType: e.contentType,
              data: Buffer.from(e.data),
              metadata: Buffer.from(e.metadata),
            })),
          ).toEqual(
            r.events.map((e) => ({
              id: e.id.replace(/-/g, ''),
              type: e.type,
              contentType: 'application/json',
              data: Buffer.from(e.data),
              metadata: Buffer.from(e.metadata),
            })),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reports an event without a valid id or without a type', () => {
    const req = new BatchAppendReq();
    const m = new BatchAppendReq.ProposedMessage();
    const id = new UUID();
    id.setString('not-a-uuid');
    m.setId(id);
    m.getMetadataMap().set('type', 'T');
    m.getMetadataMap().set('content-type', 'application/json');
    req.addProposedMessages(m);
    expect(decodeBatchAppendReq(Buffer.from(req.serializeBinary())).error).toMatch(/id/);
    const m2 = new BatchAppendReq.ProposedMessage();
    const id2 = new UUID();
    id2.setString('0b7c2a52-8a8f-4bb4-9d0f-1f3f4a1b2c3d');
    m2.setId(id2);
    const req2 = new BatchAppendReq();
    req2.addProposedMessages(m2);
    expect(decodeBatchAppendReq(Buffer.from(req2.serializeBinary())).error).toMatch(/metadata/);
  });
});
