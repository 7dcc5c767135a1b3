import { randomUUID } from 'node:crypto';
import { signToken } from '../auth/token';
import { eventually, startTestService, type TestService } from '../../test/service';

const secret = 'test-secret-0123456789abcdef';
const admin = `Bearer ${signToken(secret, { sub: 'ops', role: 'admin' })}`;
const listener = `Bearer ${signToken(secret, { sub: 'u1', role: 'listener' })}`;

describe('projection admin routes and /metrics', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service?.stop();
  });

  const get = async (path: string, auth?: string) => {
    const res = await fetch(`${service.url}${path}`, {
      headers: auth ? { authorization: auth } : {},
    });
    return { status: res.status, text: await res.text() };
  };
  const post = async (path: string, auth?: string) => {
    const res = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: auth ? { authorization: auth } : {},
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const status = async () =>
    JSON.parse((await get('/api/admin/projections', admin)).text) as {
      projections: { name: string; generation: number; checkpoint: string; rebuilding: boolean }[];
    };

  it('is admin only', async () => {
    expect((await get('/api/admin/projections')).status).toBe(401);
    expect((await get('/api/admin/projections', listener)).status).toBe(403);
    expect((await post('/api/admin/projections/all/rebuild', listener)).status).toBe(403);
  });

  it('rejects unknown or malformed projection names naming them', async () => {
    const unknown = await post('/api/admin/projections/nope/rebuild', admin);
    expect(unknown.status).toBe(404);
    expect(String(unknown.body.title)).toMatch(/nope/);
    expect((await post('/api/admin/projections/b%24d/rebuild', admin)).status).toBe(400);
  });

  it('rebuilds into a new generation and swaps it in; status and metrics show it', async () => {
    const trackId = `pr-${randomUUID().slice(0, 8)}`;
    const res = await fetch(`${service.url}/api/stats/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          id: randomUUID(),
          type: 'play',
          trackId,
          sessionId: 's1',
          timestamp: new Date().toISOString(),
          duration: 60,
        },
      ]),
    });
    expect(res.status).toBe(200);
    const before = await eventually(
      status,
      (s) => s.projections.every((p) => p.checkpoint !== '0'),
      5000,
    );
    expect(before.projections.map((p) => p.name).sort()).toEqual([
      'recentActivity',
      'trackCounters',
      'trackRollups',
    ]);

    const accepted = await post('/api/admin/projections/trackRollups/rebuild', admin);
    expect(accepted.status).toBe(202);
    const after = await eventually(
      status,
      (s) =>
        s.projections.some((p) => p.name === 'trackRollups' && p.generation === 1 && !p.rebuilding),
      20_000,
    );
    const rollups = after.projections.find((p) => p.name === 'trackRollups')!;
    expect(rollups.checkpoint).not.toBe('0');
    const docs = await service.db
      .collection('track_rollup_bindings__g1')
      .countDocuments({ trackId });
    expect(docs).toBeGreaterThan(0);

    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(
      /projector_events_total\{projection="trackRollups",outcome="handled"\} [1-9]/,
    );
    expect(metrics.text).toMatch(/projector_lag_seconds\{projection="trackCounters"\}/);
    expect(metrics.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/admin\/projections",status="200"\}/,
    );
  });
});
