import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { signToken } from '../auth/token';
import { isStoredEventType } from '../events/stored';
import { startTestService, type TestService } from '../../test/service';
import type { Granularity } from './timeBuckets';
import { startOf } from './zonedTime';
import {
  oracleAnalytics,
  oracleDashboard,
  oracleSeriesBucket,
  type StoredFact,
} from './testing/oracle';

const SECRET = 'test-secret-0123456789abcdef';
const admin = signToken(SECRET, { sub: 'admin-1', role: 'admin' });
const artistToken = (artistId: string) =>
  signToken(SECRET, { sub: `user-${artistId}`, role: 'artist', artistId });

const SOURCES = ['landing', 'playlist', 'search', 'direct', 'share', 'player'] as const;
const PLATFORMS = ['twitter', 'facebook', 'instagram', 'whatsapp', 'copy_link', 'embed'] as const;
const DAY = 86_400_000;

/** Averages are sums of floats folded in a different order: equal to the cent, not the bit. */
const approxKeys = new Set(['avgDuration', 'avgCompletionRate', 'completionRate']);
function expectClose(actual: unknown, expected: unknown, path = ''): void {
  if (typeof expected === 'number' && approxKeys.has(path.split('.').pop()!)) {
    if (typeof actual !== 'number' || Math.abs(actual - expected) > 0.011) {
      throw new Error(`${path}: ${String(actual)} ≠ ${expected}`);
    }
    return;
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') throw new Error(`${path}: missing`);
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    if (Array.isArray(expected) && (actual as unknown[]).length !== expected.length) {
      throw new Error(`${path}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`);
    }
    for (const k of keys) {
      if (!(k in (expected as object))) continue; // extra fields of the answer are fine
      expectClose(
        (actual as Record<string, unknown>)[k],
        (expected as Record<string, unknown>)[k],
        `${path}.${k}`,
      );
    }
    return;
  }
  if (actual !== expected)
    throw new Error(`${path}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`);
}

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/Los_Angeles',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
];

const eventArb = fc.record({
  kind: fc.constantFrom('play', 'play', 'play', 'play', 'like', 'save', 'share', 'download'),
  track: fc.nat(2),
  listener: fc.nat(5),
  frac: fc.integer({ min: 0, max: 1_000_000 }).map((n) => n / 1_000_000),
  duration: fc.integer({ min: 0, max: 400 }),
  completion: fc.integer({ min: 0, max: 100 }),
  source: fc.constantFrom(...SOURCES),
  platform: fc.constantFrom(...PLATFORMS),
  playlist: fc.nat(2),
  replayed: fc.boolean(),
  undo: fc.boolean(),
});

const historyArb = fc.record({
  spanMs: fc.oneof(
    fc.integer({ min: 3_600_000, max: 3 * DAY }),
    fc.integer({ min: DAY, max: 120 * DAY }),
    fc.integer({ min: 100 * DAY, max: 900 * DAY }),
  ),
  events: fc.array(eventArb, { minLength: 10, maxLength: 120 }),
  tz: fc.constantFrom(...ZONES),
  // Custom ranges: start and length as fractions of the span, so the edges are ragged.
  custom: fc.array(
    fc.record({
      start: fc.integer({ min: 0, max: 110_000 }).map((n) => n / 100_000),
      length: fc.integer({ min: 10, max: 120_000 }).map((n) => n / 100_000),
    }),
    { minLength: 2, maxLength: 3 },
  ),
});

describe('analytics and dashboard answers', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ env: { AUTH_JWT_SECRET: SECRET } });
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
  });

  const get = async (path: string, token?: string) => {
    const res = await fetch(`${service.url}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const send = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };

  async function caughtUp() {
    const head = (await service.store.headPosition(['track-']))?.commit ?? 0n;
    for (let i = 0; i < 200; i++) {
      const status = service.supervisor!.status();
      if (status.length > 0 && status.every((s) => s.checkpoint >= head)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('projectors did not catch up');
  }

  async function facts(trackIds: string[]): Promise<StoredFact[]> {
    const out: StoredFact[] = [];
    for (const trackId of trackIds) {
      for await (const e of service.store.readStream(`track-${trackId}`)) {
        // Catalog facts and the ingestion's own markers are not listener events.
        if (
          !isStoredEventType(e.type) ||
          e.type === 'TrackRegistered' ||
          e.type === 'TrackUpdated'
        ) {
          continue;
        }
        const d = e.data as Record<string, unknown>;
        out.push({
          id: e.id,
          type: e.type,
          trackId,
          at: Date.parse(d.occurredAt as string),
          ...d,
        } as StoredFact);
      }
    }
    return out;
  }

  it('for random histories over random spans and random ranges with ragged edges', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb, async (history) => {
        const run = randomUUID().slice(0, 8);
        const artists = [`ar-${run}-a`, `ar-${run}-b`];
        const tracks = [0, 1, 2].map((i) => ({
          trackId: `tr-${run}-${i}`,
          title: `Song ${i}`,
          artistId: artists[i === 2 ? 1 : 0]!,
        }));
        for (const t of tracks) {
          await send('PUT', `/api/tracks/${t.trackId}`, {
            artistId: t.artistId,
            title: t.title,
            durationSeconds: 200,
          });
        }
        const now = Date.now();
        const events = history.events.map((e) => {
          const base = {
            id: randomUUID(),
            trackId: tracks[e.track]!.trackId,
            sessionId: `s-${run}-${e.listener}`,
            anonymousId: `l-${run}-${e.listener}`,
            timestamp: new Date(now - 1000 - Math.floor(e.frac * history.spanMs)).toISOString(),
          };
          switch (e.kind) {
            case 'play':
              return {
                ...base,
                type: 'play',
                source: e.source,
                duration: e.duration,
                completionRate: e.completion,
                replayed: e.replayed,
                ...(e.source === 'playlist' ? { playlistId: `pl-${e.playlist}` } : {}),
              };
            case 'like':
              return { ...base, type: 'like', action: e.undo ? 'unlike' : 'like' };
            case 'save':
              return {
                ...base,
                type: 'save',
                action: e.undo ? 'unsave' : 'save',
                playlistId: `pl-${e.playlist}`,
              };
            case 'share':
              return { ...base, type: 'share', platform: e.platform };
            default:
              return { ...base, type: 'download' };
          }
        });
        const imported = (await send('POST', '/api/admin/import', { events })) as {
          accepted: number;
        };
        expect(imported.accepted).toBe(events.length);
        // Right away, while the projectors may still be behind: rollups up to their
        // checkpoint plus the raw events after it. The views cached now (at that checkpoint)
        // are reused by the queries below, after catch-up, so stale views are checked too.
        const early = await facts(tracks.map((t) => t.trackId));
        expect(early).toHaveLength(events.length);
        for (const t of tracks) {
          const res = await get(`/api/stats/analytics?trackId=${t.trackId}&timeRange=all`, admin);
          expect(res.status).toBe(200);
          const mine = early.filter((f) => f.trackId === t.trackId);
          try {
            expectClose(
              res.body,
              oracleAnalytics(
                mine,
                Date.parse(res.body.from as string),
                Date.parse(res.body.to as string),
              ),
            );
          } catch (err) {
            throw new Error(`before catch-up, ${t.trackId} all: ${String(err)}`);
          }
        }
        await caughtUp();
        const all = await facts(tracks.map((t) => t.trackId));
        expect(all).toHaveLength(events.length);

        const tz = `tz=${encodeURIComponent(history.tz)}`;
        const ranges = [
          ...['24h', '7d', '30d', '90d', '1y', 'all'].map((r) => `timeRange=${r}&${tz}`),
          ...history.custom.map((c, i) => {
            const from = now - history.spanMs * 1.05 + c.start * history.spanMs + 0.37;
            const to = from + Math.max(1, c.length * history.spanMs);
            // Date-times, and (one of them) local dates in the zone.
            if (i === 0) {
              const day = (t: number) => new Date(t).toISOString().slice(0, 10);
              return `from=${day(from)}&to=${day(to)}&${tz}`;
            }
            return `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&${tz}`;
          }),
        ];
        let rollupBuckets = 0;
        for (const range of ranges) {
          const scopes = [
            ...tracks.map((t) => ({ q: `trackId=${t.trackId}`, ids: [t.trackId] })),
            { q: `artistId=${artists[0]}`, ids: [tracks[0]!.trackId, tracks[1]!.trackId] },
          ];
          for (const scope of scopes) {
            const first = await get(`/api/stats/analytics?${scope.q}&${range}`, admin);
            expect(first.status).toBe(200);
            // Asked again: served from the fold cache, and still exact.
            const res = await get(`/api/stats/analytics?${scope.q}&${range}`, admin);
            expect(res.status).toBe(200);
            const from = Date.parse(res.body.from as string);
            const to = Date.parse(res.body.to as string);
            const mine = all.filter((f) => scope.ids.includes(f.trackId));
            try {
              expectClose(res.body, oracleAnalytics(mine, from, to));
              expect(res.body.tz).toBe(history.tz);
              rollupBuckets += (res.body.coverage as { rollups: unknown[] }).rollups.length;
              const series = res.body.series as { from: string; to: string }[];
              // Inner boundaries are the zone's own (day, week, month, year) starts.
              const unit = res.body.seriesGranularity as Granularity;
              series.slice(1).forEach((b) => {
                const t = Date.parse(b.from);
                expect(new Date(startOf(t, unit, history.tz)).toISOString()).toBe(b.from);
              });
              expect(series[0]?.from ?? res.body.to).toBe(res.body.from);
              series.forEach((b, i) => {
                if (i > 0) expect(b.from).toBe(series[i - 1]!.to);
                expectClose(
                  b,
                  oracleSeriesBucket(mine, Date.parse(b.from), Date.parse(b.to)),
                  `series[${i}]`,
                );
              });
              if (series.length) expect(series[series.length - 1]!.to).toBe(res.body.to);
            } catch (err) {
              throw new Error(
                `${scope.q}&${range}: ${String(err)}\ncoverage ${JSON.stringify(res.body.coverage)}`,
              );
            }
          }
          const dash = await get(`/api/dashboard/stats?${range}`, artistToken(artists[0]!));
          expect(dash.status).toBe(200);
          const mine = all.filter((f) => f.trackId !== tracks[2]!.trackId);
          try {
            expectClose(
              dash.body,
              oracleDashboard(
                mine,
                tracks.slice(0, 2),
                Date.parse(dash.body.from as string),
                Date.parse(dash.body.to as string),
              ),
            );
          } catch (err) {
            throw new Error(`dashboard ${range}: ${String(err)}`);
          }
        }
        expect(rollupBuckets).toBeGreaterThan(0);
      }),
      { numRuns: 3, endOnFailure: true },
    );
  }, 240_000);

  it('guards the routes: 401 without a token, 403 for other roles and other artists, 400 naming the field', async () => {
    const run = randomUUID().slice(0, 8);
    await send('PUT', `/api/tracks/g-${run}`, {
      artistId: `ga-${run}`,
      title: 'G',
      durationSeconds: 100,
    });
    await caughtUp(); // an artist's tracks come from the catalog read model
    expect(await get(`/api/tracks/g-${run}`)).toEqual({
      status: 200,
      body: {
        trackId: `g-${run}`,
        artistId: `ga-${run}`,
        title: 'G',
        durationSeconds: 100,
        playCount: 0,
        skipCount: 0,
        likeCount: 0,
        saveCount: 0,
        shareCount: 0,
        downloadCount: 0,
        firstEventAt: null,
        lastEventAt: null,
      },
    });
    expect((await get(`/api/tracks/unknown-${run}`)).status).toBe(404);
    expect((await get(`/api/stats/analytics?trackId=g-${run}`)).status).toBe(401);
    expect(
      (await get(`/api/stats/analytics?trackId=g-${run}`, artistToken(`ga-${run}`))).status,
    ).toBe(403);
    const listener = signToken(SECRET, { sub: 'u', role: 'listener' });
    expect((await get('/api/dashboard/stats', listener)).status).toBe(403);
    expect((await get('/api/dashboard/stats')).status).toBe(401);
    expect(
      (await get(`/api/dashboard/stats?artistId=other`, artistToken(`ga-${run}`))).status,
    ).toBe(403);
    expect(
      (await get(`/api/dashboard/stats?trackId=g-${run}`, artistToken('someone-else'))).status,
    ).toBe(403);
    expect(
      (await get(`/api/dashboard/stats?trackId=g-${run}`, artistToken(`ga-${run}`))).status,
    ).toBe(200);
    const bad = await get(`/api/stats/analytics?trackId=g-${run}&timeRange=2w`, admin);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'timeRange' })]);
    const none = await get('/api/stats/analytics', admin);
    expect(none.status).toBe(400);
    expect(JSON.stringify(none.body)).toContain('trackId');
    const metric = await get(`/api/stats/analytics?trackId=g-${run}&metric=likes`, admin);
    expect(Object.keys(metric.body)).toEqual(
      expect.arrayContaining(['likes', 'series', 'coverage', 'from', 'to']),
    );
    expect(metric.body.plays).toBeUndefined();
    expect(
      (await get(`/api/stats/analytics?trackId=g-${run}&timeRange=all`, admin)).body,
    ).toMatchObject({
      plays: { totalPlays: 0, avgDuration: 0, skipRate: 0 },
    });
  });
});
