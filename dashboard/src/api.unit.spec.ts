import { ApiError, createApi } from './api';

type Call = { url: string; auth: string | null };

/** A scripted fetch: answers in order, records what was asked. */
function scripted(answers: [number, unknown][]) {
  const calls: Call[] = [];
  const fetchImpl = (async (url: string, init?: RequestInit) => {
    calls.push({ url, auth: new Headers(init?.headers).get('authorization') });
    const [status, body] = answers.shift()!;
    return new Response(JSON.stringify(body), { status });
  }) as typeof fetch;
  return { calls, fetchImpl };
}

describe('createApi', () => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  it('sends the token and the browser zone as tz', async () => {
    const { calls, fetchImpl } = scripted([[200, { ok: 1 }]]);
    const api = createApi('tok', () => {}, fetchImpl);
    expect(await api.get('/api/x', { timeRange: '7d', artistId: undefined })).toEqual({ ok: 1 });
    expect(calls).toEqual([
      { url: `/api/x?timeRange=7d&tz=${encodeURIComponent(zone)}`, auth: 'Bearer tok' },
    ]);
  });

  it('repeats a request without tz when the service refuses tz, and stops sending it', async () => {
    const refused = {
      title: 'invalid query: tz',
      errors: [{ path: 'tz', message: 'unknown time zone' }],
    };
    const { calls, fetchImpl } = scripted([
      [400, refused],
      [200, { a: 1 }],
      [200, { b: 2 }],
    ]);
    const api = createApi('tok', () => {}, fetchImpl);
    expect(await api.get('/api/x', { timeRange: '7d' })).toEqual({ a: 1 });
    expect(await api.get('/api/y')).toEqual({ b: 2 });
    expect(calls.map((c) => c.url)).toEqual([
      expect.stringContaining('tz='),
      '/api/x?timeRange=7d',
      '/api/y',
    ]);
    expect(api.zone()).toBeNull();
  });

  it('reports 401 to onUnauthorized and throws problems with their title and fields', async () => {
    const { fetchImpl } = scripted([
      [401, { title: 'jwt expired' }],
      [400, { title: 'invalid query: from', errors: [{ path: 'from', message: 'bad' }] }],
    ]);
    const unauthorized: string[] = [];
    const api = createApi('tok', (e) => unauthorized.push(e.message), fetchImpl);
    await expect(api.get('/api/x')).rejects.toMatchObject({ status: 401, message: 'jwt expired' });
    expect(unauthorized).toEqual(['jwt expired']);
    const err = await api.get('/api/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, fields: [{ path: 'from', message: 'bad' }] });
  });
});
