import { webcrypto } from 'node:crypto';
import { uuid } from './ids';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuid', () => {
  const crypto = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  afterEach(() => {
    if (crypto) Object.defineProperty(globalThis, 'crypto', crypto);
  });
  const withCrypto = (value: unknown) =>
    Object.defineProperty(globalThis, 'crypto', { configurable: true, value });

  it('uses crypto.randomUUID when present', () => {
    withCrypto({ randomUUID: () => 'from-random-uuid' });
    expect(uuid()).toBe('from-random-uuid');
  });

  it('builds a v4 uuid from getRandomValues outside secure contexts', () => {
    withCrypto({ getRandomValues: (b: Uint8Array) => b.fill(255) });
    expect(uuid()).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    withCrypto({ getRandomValues: (b: Uint8Array) => webcrypto.getRandomValues(b) });
    const ids = new Set(Array.from({ length: 100 }, uuid));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });

  it('falls back to Math.random without Web Crypto', () => {
    withCrypto(undefined);
    expect(uuid()).toMatch(UUID_V4);
  });
});
