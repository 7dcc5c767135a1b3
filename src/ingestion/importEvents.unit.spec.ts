import { PayloadTooLargeError, ValidationError } from '../errors';
import { parseImportBody } from './importEvents';

describe('parseImportBody', () => {
  it('reads NDJSON, skipping blank lines and keeping malformed lines in place', () => {
    const events = parseImportBody('{"a":1}\n\n{oops\r\n{"b":2}\n', true);
    expect(events).toHaveLength(3);
    expect(events[0]).toEqual({ a: 1 });
    expect(events[2]).toEqual({ b: 2 });
  });
  it('reads a JSON array or { events }', () => {
    expect(parseImportBody('[{"a":1}]', false)).toEqual([{ a: 1 }]);
    expect(parseImportBody('{"events":[{"a":1}]}', false)).toEqual([{ a: 1 }]);
  });
  it('400 for malformed JSON or a wrong shape, 413 beyond 10,000 events', () => {
    expect(() => parseImportBody('[', false)).toThrow(ValidationError);
    expect(() => parseImportBody('{"x":1}', false)).toThrow(ValidationError);
    expect(() => parseImportBody('{}\n'.repeat(10_001), true)).toThrow(PayloadTooLargeError);
  });
});
