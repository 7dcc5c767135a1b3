import { randomUUID } from 'node:crypto';
import { signToken } from '../auth/token';
import { dropRetiredGenerations } from '../jobs/maintenance';
import { testWriteBudget } from '../../test/mongo';
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
    expect(before.projections.map((p) => p.name).sort()).toEqual(['trackCounters', 'trackRollups']);

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

  it('ignores what a deployment kept of a projection no longer run (recentActivity)', async () => {
    // Before the upgrade: its collection of the serving generation, one retired generation, its
    // checkpoints, its pointer.
    const db = service.db;
    await db
      .collection('recent_activity__g1')
      .insertOne({ _id: 't1|5', trackId: 't1', pos: 5 } as never);
    await db
      .collection('recent_activity')
      .insertOne({ _id: 't1|3', trackId: 't1', pos: 3 } as never);
    await db.collection('projector_checkpoints').insertMany([
      { _id: 'recentActivity', position: 3, updatedAt: new Date() },
      { _id: 'recentActivity__g1', position: 5, updatedAt: new Date() },
    ] as never[]);
    await db.collection('read_model_pointers').insertOne({
      _id: 'recentActivity',
      generation: 1,
      version: 2,
      collections: { recent_activity: 'recent_activity__g1' },
      checkpointId: 'recentActivity__g1',
      swappedAt: new Date(0),
      lastBuilt: 1,
      retired: [
        {
          generation: 0,
          collections: ['recent_activity'],
          checkpointId: 'recentActivity',
          retiredAt: new Date(0),
        },
      ],
    } as never);

    expect((await status()).projections.map((p) => p.name).sort()).toEqual([
      'trackCounters',
      'trackRollups',
    ]);
    expect((await post('/api/admin/projections/recentActivity/rebuild', admin)).status).toBe(404);
    const generations = async () =>
      Object.fromEntries((await status()).projections.map((p) => [p.name, p.generation]));
    const before = await generations();
    expect((await post('/api/admin/projections/all/rebuild', admin)).status).toBe(202);
    const swapped = await eventually(
      status,
      (s) => s.projections.every((p) => p.generation === before[p.name]! + 1 && !p.rebuilding),
      30_000,
    );
    expect(swapped.projections.every((p) => p.generation === before[p.name]! + 1)).toBe(true);
    // The cleanup job drops its retired generation as any other; the rest stays for the operator.
    const dropped = await dropRetiredGenerations(db, testWriteBudget(), 0);
    expect(dropped).toContain('recent_activity');
    expect(await db.collection('recent_activity__g1').countDocuments()).toBe(1);
  }, 60_000);
});
