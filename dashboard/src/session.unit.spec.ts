import { parseToken } from './session';

const token = (claims: object) =>
  `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('parseToken', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  it('reads an artist or admin token', () => {
    expect(
      parseToken(token({ sub: 'u', role: 'artist', artistId: 'a1', exp: now / 1000 + 60 }), now),
    ).toMatchObject({ artistId: 'a1' });
    expect(parseToken(token({ sub: 'u', role: 'admin' }), now).role).toBe('admin');
  });
  it('says why a token cannot be used', () => {
    expect(() => parseToken('garbage', now)).toThrow(/not a sign-in token/);
    expect(() => parseToken('a.b!.c', now)).toThrow(/not a sign-in token/);
    expect(() =>
      parseToken(token({ sub: 'u', role: 'artist', artistId: 'a1', exp: now / 1000 - 1 }), now),
    ).toThrow(/expired/);
    expect(() => parseToken(token({ sub: 'u', role: 'listener' }), now)).toThrow(/artist or admin/);
    expect(() => parseToken(token({ sub: 'u', role: 'artist' }), now)).toThrow(/names no artist/);
  });
});
