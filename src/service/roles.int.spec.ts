import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { allProjections } from '../../projections/all';
import { signToken } from '../auth/token';
import { eventually, startTestService, type TestService } from '../../test/service';

const SECRET = 'test-secret-0123456789abcdef';
const admin = signToken(SECRET, { sub: 'admin-1', role: 'admin' });

const play = (trackId: string) => ({
  id: randomUUID(),
  type: 'play',
  trackId,
  sessionId: 'sess-roles',
  timestamp: new Date(Date.now() - 60_000).toISOString(),
  duration: 120,
  completionRate: 50,
  source: 'search',
});

const get = async (s: TestService, path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${s.url}${path}`, { headers });
  return {
    status: res.status,
    body: (await res.json().catch(() => null)) as Record<string, unknown>,
  };
};

describe('SERVICE_ROLES: api and projector instances on one event store and database', () => {
  const mongoDb = `t_roles_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const shared = { EVENTSTORE_URL: process.env.TEST_EVENTSTORE_URL! };
  let api: TestService;
  let projector: TestService;
  let mongo: MongoClient;

  beforeAll(async () => {
    mongo = await MongoClient.connect(process.env.TEST_MONGODB_URL!);
    api = await startTestService({ mongoDb, env: { ...shared, SERVICE_ROLES: 'api' } });
    projector = await startTestService({
      mongoDb,
      env: { ...shared, SERVICE_ROLES: 'projector,jobs' },
    });
  });
  afterAll(async () => {
    await api?.stop();
    await projector?.stop();
    await mongo?.db(mongoDb).dropDatabase();
    await mongo?.close();
  });

  it('the api instance takes events and serves queries; the projector instance projects them', async () => {
    const trackId = `roles-${randomUUID().slice(0, 8)}`;
    const res = await fetch(`${api.url}/api/stats/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sentAt: new Date().toISOString(), events: [play(trackId)] }),
    });
    expect(res.status).toBe(200);
    const shown = await eventually(
      () => get(api, `/api/tracks/${trackId}`),
      (r) => r.body?.playCount === 1,
      10_000,
    );
    expect(shown.body).toMatchObject({ trackId, playCount: 1 });
  });

  it('only the projector instance holds leases and runs projectors', async () => {
    const owners = await mongo.db(mongoDb).collection('leases').distinct('owner');
    // One owner: the projector instance (each instance's id is unique, even in one process).
    expect(owners).toHaveLength(1);
    expect(api.supervisor).toBeUndefined();
    expect(api.projectors).toEqual([]);
    expect(projector.projectors.length).toBe(allProjections.length);
    // The api instance points operators at the projector tools instead of a bare 404.
    const admin503 = await get(api, '/api/admin/projections', { authorization: `Bearer ${admin}` });
    expect(admin503.status).toBe(503);
    expect(String(admin503.body.title)).toMatch(/no projectors.*projections:status/);
  });

  it('the projector instance serves /health, /ready and /metrics only', async () => {
    expect((await get(projector, '/health')).status).toBe(200);
    const ready = await get(projector, '/ready');
    expect(ready).toMatchObject({
      status: 200,
      body: { checks: { projectors: 'ok', mongodb: 'ok' } },
    });
    expect((await fetch(`${projector.url}/metrics`)).status).toBe(200);
    const post = await fetch(`${projector.url}/api/stats/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [] }),
    });
    expect(post.status).toBe(404);
    expect((await get(projector, '/api/tracks/x')).status).toBe(404);
    expect((await get(api, '/ready')).body).toEqual({ status: 'ready', checks: { mongodb: 'ok' } });
  });
});
