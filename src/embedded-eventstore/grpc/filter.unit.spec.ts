import fc from 'fast-check';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import { decodeRecord, recordSize, writeRecord } from '../log/record';
import { filterFrom } from './filter';

function options(onStream: boolean, prefixes: string[]): ReadReq.Options {
  const expr = new ReadReq.Options.FilterOptions.Expression();
  expr.setPrefixList(prefixes);
  const f = new ReadReq.Options.FilterOptions();
  if (onStream) f.setStreamIdentifier(expr);
  else f.setEventType(expr);
  f.setCount(new Empty());
  f.setCheckpointintervalmultiplier(1);
  const o = new ReadReq.Options();
  o.setFilter(f);
  return o;
}

function record(stream: string, type: string) {
  const event = {
    id: Buffer.alloc(16, 1),
    type,
    contentType: 'application/json',
    data: Buffer.from('{}'),
    metadata: Buffer.alloc(0),
  };
  const buf = Buffer.alloc(recordSize(stream, event));
  writeRecord(buf, 0, { stream, revision: 0, created: 0, flags: 0, event });
  return decodeRecord(buf, 0, 100);
}

/** Prefixes are matched on UTF-8 bytes; the answers must be those of String.startsWith. */
describe('filterFrom prefixes', () => {
  it('matches exactly when the decoded name starts with a prefix', () => {
    const text = fc.string({ maxLength: 12, unit: 'grapheme' });
    fc.assert(
      fc.property(
        fc.boolean(),
        text.filter((s) => s.length > 0),
        text,
        fc.array(text, { maxLength: 3 }),
        (onStream, stream, type, prefixes) => {
          // some prefixes taken from the name itself, so that matches happen (whole code
          // points: a prefix that arrived over the wire is valid UTF-8, never half a pair)
          const all = [
            ...prefixes,
            Array.from(onStream ? stream : type)
              .slice(0, 3)
              .join(''),
          ];
          const filter = filterFrom(options(onStream, all))!;
          const value = onStream ? stream : type;
          expect(filter.matches(record(stream, type))).toBe(all.some((p) => value.startsWith(p)));
        },
      ),
    );
  });
});
