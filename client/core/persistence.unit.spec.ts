import { browserStore, memoryStore } from './persistence';

describe('memoryStore', () => {
  it('gets, sets and removes', () => {
    const s = memoryStore();
    expect(s.getItem('k')).toBeNull();
    s.setItem('k', 'v');
    expect(s.getItem('k')).toBe('v');
    s.removeItem('k');
    expect(s.getItem('k')).toBeNull();
  });
});

describe('browserStore', () => {
  const original = Object.getOwnPropertyDescriptor(globalThis, 'localStorage');
  afterEach(() => {
    if (original) Object.defineProperty(globalThis, 'localStorage', original);
    else delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  function installLocalStorage(storage: unknown) {
    Object.defineProperty(globalThis, 'localStorage', { configurable: true, get: () => storage });
  }

  it('uses localStorage when it works', () => {
    const backing = memoryStore();
    installLocalStorage(backing);
    browserStore().setItem('k', 'v');
    expect(backing.getItem('k')).toBe('v');
  });

  it('falls back to memory when reading localStorage throws (blocked storage)', () => {
    Object.defineProperty(globalThis, 'localStorage', {
      configurable: true,
      get: () => {
        throw new DOMException('denied', 'SecurityError');
      },
    });
    const s = browserStore();
    s.setItem('k', 'v');
    expect(s.getItem('k')).toBe('v');
  });

  it('switches to memory for good when a write throws (quota, private mode)', () => {
    const backing = memoryStore();
    let full = false;
    installLocalStorage({
      ...backing,
      setItem: (k: string, v: string) => {
        if (full) throw new DOMException('full', 'QuotaExceededError');
        backing.setItem(k, v);
      },
    });
    const s = browserStore();
    s.setItem('a', '1');
    full = true;
    s.setItem('b', '2');
    expect(s.getItem('b')).toBe('2');
    expect(s.getItem('a')).toBeNull(); // now reading memory, not localStorage
    expect(backing.getItem('b')).toBeNull();
  });

  it('uses memory when there is no localStorage at all', () => {
    installLocalStorage(undefined);
    const s = browserStore();
    s.setItem('k', 'v');
    expect(s.getItem('k')).toBe('v');
  });
});
