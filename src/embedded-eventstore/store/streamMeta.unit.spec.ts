import {
  firstVisibleRevision,
  isExpired,
  metaWithTruncateBefore,
  parseStreamMeta,
} from './streamMeta';

const json = (o: unknown) => Buffer.from(JSON.stringify(o));

describe('stream metadata', () => {
  it('parses $maxAge, $maxCount and $tb, and sees $tb = Int64.MaxValue as a soft delete', () => {
    expect(parseStreamMeta(json({ $maxAge: 60, $maxCount: 5, $tb: 3, custom: 'x' }))).toMatchObject(
      {
        maxAge: 60,
        maxCount: 5,
        truncateBefore: 3,
        deleted: false,
      },
    );
    const deleted = parseStreamMeta(Buffer.from('{"$tb":9223372036854775807}'))!;
    expect(deleted.deleted).toBe(true);
    expect(deleted.truncateBefore).toBeUndefined();
    expect(parseStreamMeta(Buffer.from('not json'))).toBeNull();
    expect(parseStreamMeta(json([1, 2]))).toBeNull();
  });

  it('rewrites $tb exactly (Int64.MaxValue survives as text) and keeps other keys', () => {
    const meta = parseStreamMeta(json({ $maxCount: 100, custom: { a: 1 }, $tb: 4 }));
    expect(metaWithTruncateBefore(meta, 'deleted').toString()).toBe(
      '{"$maxCount":100,"custom":{"a":1},"$tb":9223372036854775807}',
    );
    expect(JSON.parse(metaWithTruncateBefore(meta, 7).toString())).toEqual({
      $maxCount: 100,
      custom: { a: 1 },
      $tb: 7,
    });
    expect(metaWithTruncateBefore(null, 2).toString()).toBe('{"$tb":2}');
  });

  it('computes the first visible revision and expiry', () => {
    expect(firstVisibleRevision(null, 9)).toBe(0);
    expect(firstVisibleRevision(parseStreamMeta(json({ $maxCount: 3 })), 9)).toBe(7);
    expect(firstVisibleRevision(parseStreamMeta(json({ $maxCount: 3, $tb: 8 })), 9)).toBe(8);
    const meta = parseStreamMeta(json({ $maxAge: 10 }));
    expect(isExpired(meta, 1_000, 12_000)).toBe(true);
    expect(isExpired(meta, 3_000, 12_000)).toBe(false);
    expect(isExpired(null, 0, 12_000)).toBe(false);
  });
});
