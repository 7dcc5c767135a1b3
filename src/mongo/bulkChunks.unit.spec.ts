import { ObjectId, type AnyBulkWriteOperation, type Document } from 'mongodb';
import { canRunUnordered, chunk, defaultBulkChunkSize, isolate, isUpsert } from './bulkChunks';

type Op = AnyBulkWriteOperation<Document>;
/** Literal operations with any _id type (the driver's types assume ObjectId for a plain Document). */
const op = (literal: object): Op => literal as Op;
const update = (filter: Document, upsert = false): Op =>
  op({ updateOne: { filter, update: { $inc: { n: 1 } }, upsert } });

describe('chunk', () => {
  it('splits into consecutive slices of at most the size, keeping order', () => {
    const items = Array.from({ length: 250 }, (_, i) => i);
    const chunks = chunk(items, 99);
    expect(chunks.map((c) => c.length)).toEqual([99, 99, 52]);
    expect(chunks.flat()).toEqual(items);
  });

  it('gives no chunks for no items and one for an exact fit', () => {
    expect(chunk([], 10)).toEqual([]);
    expect(chunk([1, 2, 3], 3)).toEqual([[1, 2, 3]]);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects size %p', (size) => {
    expect(() => chunk([1], size)).toThrow(RangeError);
  });
});

describe('defaultBulkChunkSize', () => {
  it('stays under FerretDB’s 100-update hang and is large for MongoDB', () => {
    expect(defaultBulkChunkSize('ferretdb')).toBe(99);
    expect(defaultBulkChunkSize('external')).toBe(1000);
    expect(defaultBulkChunkSize('memory')).toBe(1000);
  });
});

describe('isUpsert', () => {
  it('is true only for update/replace with upsert: true', () => {
    expect(isUpsert(update({ _id: 1 }, true))).toBe(true);
    expect(isUpsert(update({ _id: 1 }))).toBe(false);
    expect(
      isUpsert(op({ replaceOne: { filter: { _id: 1 }, replacement: {}, upsert: true } })),
    ).toBe(true);
    expect(
      isUpsert(op({ updateMany: { filter: {}, update: { $set: { a: 1 } }, upsert: true } })),
    ).toBe(true);
    expect(isUpsert(op({ insertOne: { document: { _id: 1 } } }))).toBe(false);
    expect(isUpsert(op({ deleteOne: { filter: { _id: 1 } } }))).toBe(false);
  });
});

describe('canRunUnordered', () => {
  it('allows single-document ops on distinct literal _ids', () => {
    const id = new ObjectId();
    expect(
      canRunUnordered([
        update({ _id: 'a', pos: { $lt: 5 } }, true),
        update({ _id: 'b' }),
        update({ _id: id }),
        update({ _id: { track: 't1', day: '2026-11-26' } }),
        op({ insertOne: { document: { _id: 7 } } }),
        op({ insertOne: { document: { n: 1 } } }),
        op({ insertOne: { document: { n: 2 } } }),
        op({ deleteOne: { filter: { _id: new Date(0) } } }),
        op({ replaceOne: { filter: { _id: 'c' }, replacement: {} } }),
      ]),
    ).toBe(true);
  });

  it('keeps order when two ops target the same document', () => {
    expect(
      canRunUnordered([update({ _id: 'a' }), update({ _id: 'b' }), update({ _id: 'a' })]),
    ).toBe(false);
    const id = new ObjectId();
    expect(
      canRunUnordered([
        update({ _id: id }),
        op({ deleteOne: { filter: { _id: new ObjectId(id.toHexString()) } } }),
      ]),
    ).toBe(false);
    expect(canRunUnordered([op({ insertOne: { document: { _id: 1 } } }), update({ _id: 1 })])).toBe(
      false,
    );
  });

  it('tells numbers from strings', () => {
    expect(canRunUnordered([update({ _id: 1 }), update({ _id: '1' })])).toBe(true);
  });

  it('keeps order for multi-document ops, missing _id and _id operators', () => {
    expect(
      canRunUnordered([op({ updateMany: { filter: { a: 1 }, update: { $set: { b: 1 } } } })]),
    ).toBe(false);
    expect(canRunUnordered([op({ deleteMany: { filter: { _id: 'a' } } })])).toBe(false);
    expect(canRunUnordered([update({ name: 'x' })])).toBe(false);
    expect(canRunUnordered([update({ _id: { $in: ['a', 'b'] } })])).toBe(false);
  });
});

describe('isolate', () => {
  it('gives each chosen item its own segment and keeps runs of the others, in order', () => {
    const segments = isolate(['a', 'U1', 'b', 'c', 'U2', 'U3', 'd'], (s) => s.startsWith('U'));
    expect(segments).toEqual([
      { start: 0, ops: ['a'] },
      { start: 1, ops: ['U1'] },
      { start: 2, ops: ['b', 'c'] },
      { start: 4, ops: ['U2'] },
      { start: 5, ops: ['U3'] },
      { start: 6, ops: ['d'] },
    ]);
  });

  it('keeps everything together when nothing is chosen, and handles no items', () => {
    expect(isolate([1, 2, 3], () => false)).toEqual([{ start: 0, ops: [1, 2, 3] }]);
    expect(isolate([], () => true)).toEqual([]);
  });
});
