import fc from 'fast-check';
import { UUID } from '@eventstore/db-client/generated/shared_pb';
import { BatchAppendResp } from '@eventstore/db-client/generated/streams_pb';
import type { ExpectedRevision } from '../store/types';
import { encodeBatchAppendSuccess } from './batchAppendResp';

/** The hand-written encoder must give the client's generated decoder exactly these fields. */
describe('encodeBatchAppendSuccess', () => {
  it('round-trips through the generated BatchAppendResp decoder', () => {
    fc.assert(
      fc.property(
        fc.record({
          correlation: fc.uuid(),
          stream: fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
          expected: fc.oneof(
            fc.constantFrom<ExpectedRevision>(
              { kind: 'any' },
              { kind: 'no_stream' },
              { kind: 'stream_exists' },
            ),
            fc
              .integer({ min: 0, max: 2 ** 50 })
              .map((revision): ExpectedRevision => ({ kind: 'revision', revision })),
          ),
          revision: fc.integer({ min: -1, max: 2 ** 50 }),
          position: fc.option(fc.integer({ min: 0, max: 2 ** 52 })),
        }),
        (r) => {
          const cid = new UUID();
          cid.setString(r.correlation);
          const stream = Buffer.from(r.stream, 'utf8');
          const bytes = encodeBatchAppendSuccess(
            Buffer.from(cid.serializeBinary()),
            stream,
            r.expected,
            r.revision,
            r.position,
          );
          const resp = BatchAppendResp.deserializeBinary(bytes);
          expect(resp.getCorrelationId()!.getString()).toBe(r.correlation);
          expect(resp.hasSuccess()).toBe(true);
          const s = resp.getSuccess()!;
          if (r.revision >= 0) expect(s.getCurrentRevision()).toBe(String(r.revision));
          else expect(s.hasNoStream()).toBe(true);
          if (r.position === null) expect(s.hasNoPosition()).toBe(true);
          else {
            expect(s.getPosition()!.getCommitPosition()).toBe(String(r.position));
            expect(s.getPosition()!.getPreparePosition()).toBe(String(r.position));
          }
          expect(Buffer.from(resp.getStreamIdentifier()!.getStreamName_asU8())).toEqual(stream);
          const e = r.expected;
          if (e.kind === 'revision') expect(resp.getStreamPosition()).toBe(String(e.revision));
          else if (e.kind === 'any') expect(resp.hasAny()).toBe(true);
          else if (e.kind === 'no_stream') expect(resp.hasNoStream()).toBe(true);
          else expect(resp.hasStreamExists()).toBe(true);
        },
      ),
    );
  });
});
