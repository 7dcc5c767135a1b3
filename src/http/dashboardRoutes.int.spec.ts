import { randomUUID } from 'node:crypto';
import { signToken } from '../auth/token';
import { eventually, startTestService, type TestService } from '../../test/service';

const SECRET = 'test-secret-0123456789abcdef';
const bearer = (claims: { role: 'admin' | 'artist' | 'listener'; artistId?: string }) =>
  `Bearer ${signToken(SECRET, { sub: `${claims.role}-1`, ...claims })}`;

/** The dashboard API routes: who may see what, and that each answers the analytics shape. */
describe('dashboard API routes', () => {
  let service: TestService;
  const tag = randomUUID().slice(0, 8);
  const artistA = `ar-a-${tag}`;
  const artistB = `ar-b-${tag}`;
  const trackA = `tr-a-${tag}`;
  const trackB = `tr-b-${tag}`;
  const admin = bearer({ role: 'admin' });
  const asA = bearer({ role: 'artist', artistId: artistA });

  const get = async (path: string, auth?: string) => {
    const res = await fetch(`${service.url}${path}`, {
      headers: auth ? { authorization: auth } : {},
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const send = (method: string, path: string, body: unknown) =>
    fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    service = await startTestService();
    for (const [trackId, artistId] of [
      [trackA, artistA],
      [trackB, artistB],
    ] as const) {
      expect(
        (
          await send('PUT', `/api/tracks/${trackId}`, {
            artistId,
            title: trackId,
            durationSeconds: 200,
          })
        ).ok,
      ).toBe(true);
    }
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const play = (trackId: string, source: string) => ({
      id: randomUUID(),
      type: 'play',
      trackId,
      sessionId: `s-${randomUUID()}`,
      timestamp: at,
      duration: 120,
      source,
    });
    const share = {
      id: randomUUID(),
      type: 'share',
      trackId: trackA,
      sessionId: 's',
      timestamp: at,
      platform: 'embed',
    };
    const imported = await send('POST', '/api/admin/import', [
      play(trackA, 'search'),
      play(trackA, 'search'),
      play(trackA, 'playlist'),
      share,
      play(trackB, 'direct'),
    ]);
    expect(imported.status).toBe(200);
    // The ownership check of the track route reads the catalog through the counters read model.
    await eventually(
      () => get(`/api/tracks/${trackA}`),
      (r) => r.body.artistId === artistA,
      10_000,
    );
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('/api/dashboard/analytics: the artist catalog with breakdowns and the full series', async () => {
    const { status, body } = await get('/api/dashboard/analytics?timeRange=24h', asA);
    expect(status).toBe(200);
    expect(body.scope).toEqual({ artistId: artistA, trackIds: [trackA] });
    expect(body.plays.totalPlays).toBe(3);
    expect(body.plays.sourceBreakdown).toMatchObject({ search: 2, playlist: 1, direct: 0 });
    expect(body.shares.platformBreakdown.embed).toBe(1);
    expect(body.seriesGranularity).toBe('hour');
    expect(body.series.reduce((s: number, b: { plays: number }) => s + b.plays, 0)).toBe(3);
    // Admins name the artist and get the same answer.
    const byAdmin = await get(`/api/dashboard/analytics?timeRange=24h&artistId=${artistA}`, admin);
    expect(byAdmin.body.plays).toEqual(body.plays);
  });

  it('/api/dashboard/analytics: an artist sees only their own; an admin must name one', async () => {
    const other = await get(`/api/dashboard/analytics?artistId=${artistB}`, asA);
    expect(other.status).toBe(403);
    const unnamed = await get('/api/dashboard/analytics', admin);
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.errors).toEqual([{ path: 'artistId', message: 'required for an admin' }]);
    expect((await get('/api/dashboard/analytics', bearer({ role: 'listener' }))).status).toBe(403);
    expect((await get('/api/dashboard/analytics')).status).toBe(401);
    const bad = await get('/api/dashboard/analytics?timeRange=2w', asA);
    expect(bad.status).toBe(400);
    expect(bad.body.title).toMatch(/timeRange/);
  });

  it('/api/dashboard/tracks/:trackId: own track for artists, any track for admins', async () => {
    const own = await get(`/api/dashboard/tracks/${trackA}?timeRange=7d`, asA);
    expect(own.status).toBe(200);
    expect(own.body.scope).toEqual({ trackId: trackA });
    expect(own.body.plays.totalPlays).toBe(3);
    const others = await get(`/api/dashboard/tracks/${trackB}?timeRange=7d`, asA);
    expect(others.status).toBe(403);
    expect(others.body.title).toMatch(trackB);
    expect((await get(`/api/dashboard/tracks/nope-${tag}`, asA)).status).toBe(403);
    const byAdmin = await get(`/api/dashboard/tracks/${trackB}?timeRange=7d&metric=plays`, admin);
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.plays.totalPlays).toBe(1);
    expect(byAdmin.body.shares).toBeUndefined();
    expect((await get(`/api/dashboard/tracks/${trackA}?from=yesterday`, admin)).status).toBe(400);
  });

  it('/api/dashboard/stats: an admin names the artist and sees what the artist sees', async () => {
    const mine = await get('/api/dashboard/stats?timeRange=24h', asA);
    const byAdmin = await get(`/api/dashboard/stats?timeRange=24h&artistId=${artistA}`, admin);
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.overview).toEqual(mine.body.overview);
    expect(mine.body.overview.totalPlays).toBe(3);
    expect((await get(`/api/dashboard/stats?artistId=${artistB}`, asA)).status).toBe(403);
  });
});
