import fc from 'fast-check';
import { Message } from 'google-protobuf';
import { UUID } from '@eventstore/db-client/generated/shared_pb';
import { BatchAppendReq } from '@eventstore/db-client/generated/streams_pb';
import { base64Bytes, installNativeBase64Bytes } from './protobufBytes';

type Proposed = { id: string; data: unknown; metadata?: unknown };

/** A proposed message built the way the client builds it (streams/appendToStream/batchAppend.js). */
function encode(p: Proposed): Uint8Array {
  const message = new BatchAppendReq.ProposedMessage();
  const id = new UUID();
  id.setString(p.id);
  message.setId(id);
  message.getMetadataMap().set('type', 'PlayRecorded');
  message.getMetadataMap().set('content-type', 'application/json');
  message.setData(Buffer.from(JSON.stringify(p.data), 'utf8').toString('base64'));
  if (p.metadata !== undefined)
    message.setCustomMetadata(Buffer.from(JSON.stringify(p.metadata), 'utf8').toString('base64'));
  return message.serializeBinary();
}

const proposed = fc.record(
  {
    id: fc.uuid(),
    data: fc.jsonValue(),
    metadata: fc.object(),
  },
  { requiredKeys: ['id', 'data'] },
);

describe('installNativeBase64Bytes', () => {
  it('encodes the same bytes as google-protobuf itself', () => {
    const samples = fc.sample(proposed, { numRuns: 300, seed: 13 });
    samples.push({ id: '00000000-0000-0000-0000-000000000000', data: 'ä€😀'.repeat(100) });
    const before = samples.map(encode);
    const original = Message.bytesAsU8;

    installNativeBase64Bytes();
    installNativeBase64Bytes(); // a second install keeps one wrapper

    expect(Message.bytesAsU8).not.toBe(original);
    const after = samples.map(encode);
    samples.forEach((_, i) => expect(Buffer.from(after[i]!)).toEqual(Buffer.from(before[i]!)));
    const decoded = BatchAppendReq.ProposedMessage.deserializeBinary(after.at(-1)!);
    expect(Buffer.from(decoded.getData_asU8()).toString('utf8')).toBe(
      JSON.stringify('ä€😀'.repeat(100)),
    );
  });

  it('passes byte arrays through unchanged', () => {
    installNativeBase64Bytes();
    const message = new BatchAppendReq.ProposedMessage();
    message.setData(new Uint8Array([0, 1, 2, 255]));
    const decoded = BatchAppendReq.ProposedMessage.deserializeBinary(message.serializeBinary());
    expect([...decoded.getData_asU8()]).toEqual([0, 1, 2, 255]);
  });
});

describe('base64Bytes', () => {
  it('is a plain Uint8Array of the decoded bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const out = base64Bytes(Buffer.from(bytes).toString('base64'));
        expect(out.constructor).toBe(Uint8Array);
        expect([...out]).toEqual([...bytes]);
      }),
    );
  });
});
