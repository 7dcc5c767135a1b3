import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signToken } from '../auth/token';
import { startEmbeddedEventStore } from '../embedded-eventstore/server';
import { connectEventStore } from '../eventstore/esdbEventStore';
import { eventually, startTestService, type TestService } from '../../test/service';

const SECRET = 'test-secret-0123456789abcdef';
const admin = signToken(SECRET, { sub: 'admin-1', role: 'admin' });
const listener = signToken(SECRET, { sub: 'user-42', role: 'listener' });

const base = (trackId: string, over: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  trackId,
  sessionId: 'sess-1',
  timestamp: new Date(Date.now() - 60_000).toISOString(),
  ...over,
});
const play = (trackId: string, over: Record<string, unknown> = {}) =>
  base(trackId, { type: 'play', duration: 120, completionRate: 50, source: 'search', ...over });

type Reply = { status: number; body: Record<string, unknown>; headers: Headers };

async function send(
  service: TestService,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<Reply> {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    headers: res.headers,
  };
}
const post = (s: TestService, body: unknown, headers: Record<string, string> = {}) =>
  send(s, '/api/stats/events', body, headers);

/** The facts in a track stream, read through our port (it skips nothing itself). */
async function streamFacts(url: string, trackId: string) {
  const store = connectEventStore(url);
  const facts: { id: string; type: string; data: Record<string, unknown> }[] = [];
  try {
    for await (const e of store.readStream(`track-${trackId}`)) {
      if (!e.type.startsWith('$')) {
        facts.push({ id: e.id, type: e.type, data: e.data as Record<string, unknown> });
      }
    }
  } finally {
    await store.close();
  }
  return facts;
}

describe('ingestion through HTTP', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('stores all five kinds as facts, with identity, anonymised address and bounded agent', async () => {
    const t = `k-${randomUUID().slice(0, 8)}`;
    const events = [
      play(t, { anonymousId: 'anon-1', userId: 'evil', ip: '1.2.3.4' }),
      play(t, { duration: 5 }),
      base(t, { type: 'like' }),
      base(t, { type: 'like', action: 'unlike' }),
      base(t, { type: 'save', playlistId: 'pl-1' }),
      base(t, { type: 'save', action: 'unsave', playlistId: 'pl-1' }),
      base(t, { type: 'share', platform: 'whatsapp' }),
      base(t, { type: 'download' }),
    ];
    const r = await post(
      service,
      { sentAt: new Date().toISOString(), events },
      { 'user-agent': 'x'.repeat(2000), 'x-forwarded-for': '198.51.100.7' },
    );
    expect(r).toMatchObject({ status: 200, body: { accepted: 8, duplicates: 0, rejected: [] } });
    const facts = await streamFacts(service.eventStoreUrl, t);
    expect(facts.map((f) => f.type)).toEqual([
      'TrackPlayed',
      'TrackSkipped',
      'TrackLiked',
      'TrackUnliked',
      'TrackSaved',
      'TrackUnsaved',
      'TrackShared',
      'TrackDownloaded',
    ]);
    expect(facts.map((f) => f.id)).toEqual(events.map((e) => e.id));
    const first = facts[0]!.data;
    expect(first).toMatchObject({ listenerId: 'anon-1', ipHash: '127.0.0.0' });
    expect(first).not.toHaveProperty('userId');
    expect(first).not.toHaveProperty('ip');
    expect((first.userAgent as string).length).toBe(512);
    expect(facts[1]!.data.listenerId).toBe('sess-1');

    const signedIn = await post(service, [play(t, { anonymousId: 'anon-1' })], {
      authorization: `Bearer ${listener}`,
    });
    expect(signedIn.body.accepted).toBe(1);
    expect((await streamFacts(service.eventStoreUrl, t))[8]!.data.listenerId).toBe('user-42');
  });

  it('corrects client clock skew with sentAt and never stores a future time', async () => {
    const t = `skew-${randomUUID().slice(0, 8)}`;
    const hourAgo = new Date(Date.now() - 3600_000);
    const e1 = play(t, { timestamp: new Date(hourAgo.getTime() - 10_000).toISOString() });
    const e2 = play(t, { timestamp: new Date(Date.now() + 86_400_000).toISOString() });
    const before = Date.now();
    await post(service, { sentAt: hourAgo.toISOString(), events: [e1] });
    await post(service, [e2]);
    const [f1, f2] = await streamFacts(service.eventStoreUrl, t);
    const at1 = Date.parse(f1!.data.occurredAt as string);
    expect(at1).toBeGreaterThanOrEqual(before - 11_000);
    expect(at1).toBeLessThanOrEqual(Date.now() - 9_000);
    expect(f2!.data.occurredAt).toBe(f2!.data.receivedAt);
  });

  it('answers per event, 400 when all are rejected, 400 for malformed JSON, text/plain too', async () => {
    const t = `v-${randomUUID().slice(0, 8)}`;
    const good = play(t);
    const mixed = await post(service, [good, { ...play(t), duration: 'long' }, { id: 7 }]);
    expect(mixed.status).toBe(200);
    expect(mixed.body.accepted).toBe(1);
    const rejected = mixed.body.rejected as { index: number; id?: string; errors: unknown[] }[];
    expect(rejected.map((x) => x.index)).toEqual([1, 2]);
    expect(rejected[0]!.errors).toEqual([expect.objectContaining({ path: 'duration' })]);

    const allBad = await post(service, [{ ...play(t), type: 'dance' }]);
    expect(allBad.status).toBe(400);
    expect((allBad.body.rejected as unknown[]).length).toBe(1);

    const malformed = await post(service, '{"events": [');
    expect(malformed.status).toBe(400);
    expect(malformed.body.title).toMatch(/JSON/);

    const beacon = await post(service, JSON.stringify([play(t)]), { 'content-type': 'text/plain' });
    expect(beacon.body).toMatchObject({ accepted: 1 });
  });

  it('413 beyond 1,000 events or the body limit', async () => {
    const t = `big-${randomUUID().slice(0, 8)}`;
    const tooMany = await post(
      service,
      Array.from({ length: 1001 }, () => play(t)),
    );
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.title).toMatch(/1000/);
    const huge = await post(service, [play(t, { sessionId: 'x'.repeat(2 * 1024 * 1024) })]);
    expect(huge.status).toBe(413);
  });

  it('counts a repeated batch once and reports duplicates, also within one request', async () => {
    const t = `d-${randomUUID().slice(0, 8)}`;
    const batch = [play(t), play(t), base(t, { type: 'like' })];
    expect((await post(service, batch)).body).toEqual({
      accepted: 3,
      duplicates: 0,
      rejected: [],
    });
    expect((await post(service, [...batch, batch[0]])).body).toEqual({
      accepted: 0,
      duplicates: 4,
      rejected: [],
    });
    expect(await streamFacts(service.eventStoreUrl, t)).toHaveLength(3);
  });

  it('counts accepted, duplicate and rejected events and times requests in /metrics', async () => {
    const metric = async (name: string) => {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(name + ' '));
      return Number(line?.split(' ').pop() ?? 'NaN');
    };
    const accepted = 'ingestion_events_total{route="live",outcome="accepted"}';
    const duplicate = 'ingestion_events_total{route="live",outcome="duplicate"}';
    const rejected = 'ingestion_events_total{route="live",outcome="rejected"}';
    const requests = 'ingestion_request_duration_seconds_count{route="live",status="200"}';
    const before = await Promise.all([accepted, duplicate, rejected, requests].map(metric));
    const t = `m-${randomUUID().slice(0, 8)}`;
    const first = play(t);
    await post(service, [first, play(t)]);
    await post(service, [first, { ...play(t), duration: -1 }]);
    const after = await Promise.all([accepted, duplicate, rejected, requests].map(metric));
    expect(after.map((v, i) => v - before[i]!)).toEqual([2, 1, 1, 2]);
    expect(await metric('ingestion_append_events_count')).toBeGreaterThan(0);
  });

  it('catalog: admin only, registered then updated, drives completion rates', async () => {
    const t = `c-${randomUUID().slice(0, 8)}`;
    const entry = { artistId: 'artist-9', title: 'Song', durationSeconds: 200 };
    const put = (body: unknown, token?: string) =>
      send(
        service,
        `/api/tracks/${t}`,
        body,
        token ? { authorization: `Bearer ${token}` } : {},
        'PUT',
      );
    expect((await put(entry)).status).toBe(401);
    expect((await put(entry, listener)).status).toBe(403);
    const bad = await put({ ...entry, durationSeconds: -1 }, admin);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'durationSeconds' })]);
    expect(await put(entry, admin)).toMatchObject({ status: 201, body: { result: 'registered' } });
    expect(await put(entry, admin)).toMatchObject({ status: 200, body: { result: 'unchanged' } });
    const longer = { ...entry, durationSeconds: 240 };
    expect(await put(longer, admin)).toMatchObject({ status: 200, body: { result: 'updated' } });

    await post(service, [play(t, { duration: 60, completionRate: 99 })]);
    const facts = await streamFacts(service.eventStoreUrl, t);
    expect(facts.map((f) => f.type)).toEqual(['TrackRegistered', 'TrackUpdated', 'TrackPlayed']);
    expect(facts[2]!.data.completionRate).toBe(25);

    const shown = await eventually(
      async () => (await fetch(`${service.url}/api/tracks/${t}`)).json(),
      (b: { durationSeconds?: number }) => b.durationSeconds === 240,
      3000,
    );
    expect(shown).toMatchObject({ artistId: 'artist-9', title: 'Song', durationSeconds: 240 });
  });

  it('imports history as given (JSON or NDJSON), rejects the future, dedups like live events', async () => {
    const t = `imp-${randomUUID().slice(0, 8)}`;
    const old = play(t, { timestamp: '2020-05-01T10:00:00.000Z', userId: 'legacy-7' });
    const future = play(t, { timestamp: new Date(Date.now() + 3600_000).toISOString() });
    const ndjson = [JSON.stringify(old), '', '{nope', JSON.stringify(future)].join('\n');
    const auth = { authorization: `Bearer ${admin}`, 'content-type': 'application/x-ndjson' };
    expect((await send(service, '/api/admin/import', ndjson, {})).status).toBe(401);
    const r = await send(service, '/api/admin/import', ndjson, auth);
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(1);
    const rejected = r.body.rejected as { index: number; errors: { path: string }[] }[];
    expect(rejected.map((x) => [x.index, x.errors[0]!.path])).toEqual([
      [1, 'line'],
      [2, 'timestamp'],
    ]);
    const again = await send(service, '/api/admin/import', [old], {
      authorization: `Bearer ${admin}`,
    });
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1 });
    const [fact] = await streamFacts(service.eventStoreUrl, t);
    expect(fact!.data).toMatchObject({
      occurredAt: '2020-05-01T10:00:00.000Z',
      listenerId: 'legacy-7',
    });
    expect(fact!.data).not.toHaveProperty('ipHash');

    const tooMany = await send(
      service,
      '/api/admin/import',
      Array.from({ length: 10_001 }, () => ({})),
      { authorization: `Bearer ${admin}` },
    );
    expect(tooMany.status).toBe(413);
  });
});

describe('idempotency across instances and failures', () => {
  it('counts each event once when the same batch is retried concurrently on two instances', async () => {
    const a = await startTestService();
    const b = await startTestService({
      mongoDb: a.mongoDb,
      env: { EVENTSTORE_URL: a.eventStoreUrl },
    });
    try {
      const tracks = Array.from({ length: 4 }, () => `cc-${randomUUID().slice(0, 8)}`);
      // Warm both instances' view of the streams, so their expected revisions go stale.
      await post(
        a,
        tracks.map((t) => play(t)),
      );
      await post(
        b,
        tracks.map((t) => play(t)),
      );
      const batch = Array.from({ length: 40 }, (_, i) => play(tracks[i % 4]!));
      const replies = await Promise.all(
        Array.from({ length: 8 }, (_, i) => post(i % 2 ? b : a, batch)),
      );
      expect(replies.every((r) => r.status === 200)).toBe(true);
      const accepted = replies.reduce((n, r) => n + (r.body.accepted as number), 0);
      const duplicates = replies.reduce((n, r) => n + (r.body.duplicates as number), 0);
      expect(accepted).toBe(40);
      expect(duplicates).toBe(7 * 40);
      const ids = (await Promise.all(tracks.map((t) => streamFacts(a.eventStoreUrl, t))))
        .flat()
        .map((f) => f.id);
      expect(ids).toHaveLength(2 * 4 + 40);
      expect(new Set(ids).size).toBe(ids.length);

      // A third instance starting cold (as after a crash) still knows them.
      await b.stop();
      const c = await startTestService({
        mongoDb: a.mongoDb,
        env: { EVENTSTORE_URL: a.eventStoreUrl },
      });
      try {
        expect((await post(c, batch)).body).toMatchObject({ accepted: 0, duplicates: 40 });
      } finally {
        await c.stop();
      }
    } finally {
      await b.stop().catch(() => undefined);
      await a.stop();
    }
  });
});

describe('event store down', () => {
  it('503 while the store is down; the retry afterwards counts every event once', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-503-'));
    let store = await startEmbeddedEventStore({ dataDir, port: 0 });
    const port = store.port;
    const service = await startTestService({ env: { EVENTSTORE_URL: store.connectionString } });
    try {
      const tracks = [0, 1, 2].map(() => `down-${randomUUID().slice(0, 8)}`);
      expect(
        (
          await post(
            service,
            tracks.map((t) => play(t)),
          )
        ).status,
      ).toBe(200);
      const batch = Array.from({ length: 9 }, (_, i) => play(tracks[i % 3]!));
      await store.close();
      const down = await post(service, batch);
      expect(down.status).toBe(503);
      expect(down.body).not.toHaveProperty('accepted');

      store = await startEmbeddedEventStore({ dataDir, port });
      const retried = await eventually(
        () => post(service, batch),
        (r) => r.status === 200,
        10_000,
      );
      expect(retried.body).toMatchObject({ accepted: 9, duplicates: 0 });
      expect((await post(service, batch)).body).toMatchObject({ accepted: 0, duplicates: 9 });
      const facts = (await Promise.all(tracks.map((t) => streamFacts(store.connectionString, t))))
        .flat()
        .map((f) => f.id);
      expect(facts).toHaveLength(12);
      expect(new Set(facts).size).toBe(12);
    } finally {
      await service.stop();
      await store.close();
    }
  });
});

describe('rate limiting per client address', () => {
  it('429 with Retry-After; X-Forwarded-For only counts when TRUST_PROXY is on', async () => {
    const plain = await startTestService({ env: { RATE_LIMIT_PER_MINUTE: '2' } });
    const proxied = await startTestService({
      env: { RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'on' },
    });
    try {
      const t = `rl-${randomUUID().slice(0, 8)}`;
      const from = (ip: string) => ({ 'x-forwarded-for': ip });
      expect((await post(plain, [play(t)], from('10.0.0.1'))).status).toBe(200);
      expect((await post(plain, [play(t)], from('10.0.0.2'))).status).toBe(200);
      const limited = await post(plain, [play(t)], from('10.0.0.3'));
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

      for (const ip of ['10.0.0.1', '10.0.0.1']) {
        expect((await post(proxied, [play(t)], from(ip))).status).toBe(200);
      }
      expect((await post(proxied, [play(t)], from('10.0.0.1'))).status).toBe(429);
      const other = await post(proxied, [play(t)], from('10.0.0.2'));
      expect(other.status).toBe(200);
      const [fact] = (await streamFacts(proxied.eventStoreUrl, t)).slice(-1);
      expect(fact!.data.ipHash).toBe('10.0.0.0');
    } finally {
      await plain.stop();
      await proxied.stop();
    }
  });
});
