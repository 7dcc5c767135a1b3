import { browserTransport } from './transport';

describe('browserTransport', () => {
  const g = globalThis as unknown as Record<string, unknown>;
  const realFetch = g.fetch;
  const realNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  afterEach(() => {
    g.fetch = realFetch;
    if (realNavigator) Object.defineProperty(globalThis, 'navigator', realNavigator);
    else delete g.navigator;
  });
  const setNavigator = (value: unknown) =>
    Object.defineProperty(globalThis, 'navigator', { configurable: true, value });

  it('POSTs text/plain (no CORS preflight), with keepalive and the token when given', async () => {
    const fetch = jest.fn(
      async (_url: string, _init: RequestInit) =>
        new Response('{"accepted":1}', { status: 200, headers: { 'Retry-After': '3' } }),
    );
    g.fetch = fetch;
    const result = await browserTransport().send('http://s.test/e', '{"events":[]}', {
      token: 'jwt',
      keepalive: true,
    });
    expect(result).toEqual({ status: 200, retryAfter: '3', body: { accepted: 1 } });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('http://s.test/e');
    expect(init).toMatchObject({
      method: 'POST',
      body: '{"events":[]}',
      keepalive: true,
      headers: { 'Content-Type': 'text/plain', Authorization: 'Bearer jwt' },
    });
    expect(init.signal).toBeInstanceOf(AbortSignal);
  });

  it('sends no Authorization header without a token, and tolerates a non-JSON reply', async () => {
    const fetch = jest.fn(
      async (_url: string, _init: RequestInit) => new Response('busy', { status: 503 }),
    );
    g.fetch = fetch;
    const result = await browserTransport().send('http://s.test/e', '{}', {});
    expect(result).toEqual({ status: 503, retryAfter: null, body: undefined });
    expect(fetch.mock.calls[0]![1].headers).toEqual({ 'Content-Type': 'text/plain' });
  });

  it('answers status 0 instead of rejecting on a network error', async () => {
    g.fetch = jest.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(browserTransport().send('http://s.test/e', '{}', {})).resolves.toEqual({
      status: 0,
    });
  });

  it('beacons through navigator.sendBeacon and reports refusal or absence as false', () => {
    const sendBeacon = jest.fn(() => true);
    setNavigator({ sendBeacon });
    expect(browserTransport().beacon('http://s.test/e', 'body')).toBe(true);
    expect(sendBeacon).toHaveBeenCalledWith('http://s.test/e', 'body');
    sendBeacon.mockReturnValue(false);
    expect(browserTransport().beacon('http://s.test/e', 'body')).toBe(false);
    setNavigator({
      sendBeacon: () => {
        throw new TypeError('Illegal invocation');
      },
    });
    expect(browserTransport().beacon('http://s.test/e', 'body')).toBe(false);
    setNavigator({});
    expect(browserTransport().beacon('http://s.test/e', 'body')).toBe(false);
  });
});
