import { checkFrame, decodeRecord, FLAG_COMMIT_END, recordSize, writeRecord } from './record';

describe('log record framing', () => {
  const event = {
    id: Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
    type: 'TrackPlayed',
    contentType: 'application/json',
    data: Buffer.from('{"a":"ü"}'),
    metadata: Buffer.from('{"m":1}'),
  };

  it('writes a checksummed frame that decodes to the same fields', () => {
    const buf = Buffer.alloc(recordSize('track-ü', event));
    const end = writeRecord(buf, 0, {
      stream: 'track-ü',
      revision: 41,
      created: 1764000000000,
      flags: FLAG_COMMIT_END,
      event,
    });
    expect(end).toBe(buf.length);
    expect(checkFrame(buf, 0)).toEqual({ ok: true, size: buf.length });
    const r = decodeRecord(buf, 0, 1234);
    expect([
      r.stream,
      r.type,
      r.contentType,
      r.revision,
      r.created,
      r.flags,
      r.position,
      r.size,
    ]).toEqual([
      'track-ü',
      'TrackPlayed',
      'application/json',
      41,
      1764000000000,
      FLAG_COMMIT_END,
      1234,
      buf.length,
    ]);
    expect(r.id).toEqual(event.id);
    expect(r.data.toString()).toBe('{"a":"ü"}');
    expect(r.metadata.toString()).toBe('{"m":1}');
  });

  it('detects a flipped byte, a short frame and a garbage length', () => {
    const buf = Buffer.alloc(recordSize('s', event));
    writeRecord(buf, 0, { stream: 's', revision: 0, created: 0, flags: 0, event });
    const flipped = Buffer.from(buf);
    flipped[buf.length - 1] = flipped[buf.length - 1]! ^ 1;
    expect(checkFrame(flipped, 0)).toEqual({ ok: false, reason: 'checksum' });
    expect(checkFrame(buf.subarray(0, buf.length - 1), 0)).toEqual({ ok: false, reason: 'short' });
    const garbage = Buffer.from(buf);
    garbage.writeUInt32LE(3, 0);
    expect(checkFrame(garbage, 0)).toEqual({ ok: false, reason: 'length' });
  });
});
