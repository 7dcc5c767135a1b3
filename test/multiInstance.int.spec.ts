import { randomUUID } from 'node:crypto';
import { signToken } from '../src/auth/token';
import {
  JWT_SECRET,
  killLeaseHolder,
  startInstances,
  until,
  type Instances,
} from '../scripts/lib/instances';
import { countersMatch, countsFromLog, differences, readModelView } from '../scripts/lib/recompute';
import { retryingLoad } from '../scripts/lib/retryingLoad';

const LEASE_TTL_MS = 4000;
const POLL_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two API and two projector instances on one event store and one MongoDB', () => {
  const artistId = `artist-${randomUUID().slice(0, 6)}`;
  const tracks = Array.from({ length: 6 }, (_, i) => `mi-${artistId}-${i}`);
  let instances: Instances;

  beforeAll(async () => {
    instances = await startInstances({
      apis: 2,
      projectors: 2,
      leaseTtlMs: LEASE_TTL_MS,
      pollMs: POLL_MS,
    });
    const admin = signToken(JWT_SECRET, { sub: 'mi-admin', role: 'admin' });
    for (const trackId of tracks) {
      const res = await fetch(`${instances.apis[0]!.url}/api/tracks/${trackId}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({ artistId, title: trackId, durationSeconds: 200 }),
      });
      expect(res.status).toBeLessThan(300);
    }
  }, 240_000);
  afterAll(async () => {
    await instances?.stop();
  });

  it('survives kill -9 of the lease holder twice and of an API instance; read models equal a recomputation', async () => {
    const [api1, api2] = instances.apis as [(typeof instances.apis)[0], (typeof instances.apis)[0]];
    const killed = new Set<string>();
    const hour = 3_600_000;
    const from = new Date(Math.floor((Date.now() - 3 * hour) / hour) * hour);
    const load = retryingLoad({
      urls: [api1.url, api2.url],
      isKilled: (url) => killed.has(url),
      tracks,
      clients: 4,
      batchSize: 10,
      pauseMs: 30,
      from,
    });
    const takeoverLimit = LEASE_TTL_MS + POLL_MS;
    await sleep(3000);
    const first = await killLeaseHolder(instances, takeoverLimit + 5000);
    await instances.spawnProjector(); // a new one stands by
    await sleep(1500);
    killed.add(api2.url);
    process.kill(api2.pid, 'SIGKILL'); // its in-flight requests are retried on api1
    await sleep(1500);
    const second = await killLeaseHolder(instances, takeoverLimit + 5000);
    await sleep(2000);
    const stats = await load.stop();

    expect(stats.failures).toEqual([]);
    expect(stats.events).toBeGreaterThan(1000);
    // The log holds every acknowledged event once, and nothing else.
    const log = await countsFromLog(instances.es.connectionString, tracks);
    expect(log.twice).toEqual([]);
    expect(log.ids.size).toBe(stats.acked.size);
    expect([...stats.acked].every((id) => log.ids.has(id))).toBe(true);

    // The surviving API serves counters equal to the log.
    await until(() => countersMatch([api1], tracks, log.counts), 30_000);

    // A recomputation: a fresh instance projecting the whole log into a database of its own.
    const verifier = await instances.spawnRole('api,projector', {
      MONGODB_DB: `${instances.mongoDb}_re`,
    });
    const viewOptions = {
      tracks,
      artistId,
      from,
      to: new Date(from.getTime() + 2 * hour),
      secret: JWT_SECRET,
    };
    let diff: string[] = ['not compared yet'];
    const deadline = Date.now() + 60_000;
    while (diff.length > 0 && Date.now() < deadline) {
      const [live, recomputed] = [
        await readModelView(api1, viewOptions),
        await readModelView(verifier, viewOptions),
      ];
      diff = differences(live, recomputed);
      if (diff.length > 0) await sleep(500);
    }
    expect(diff).toEqual([]);

    for (const k of [first, second]) expect(k.takeoverMs).toBeLessThanOrEqual(takeoverLimit + 2500);
    process.stdout.write(
      `multi-instance: ${stats.events} events in ${stats.batches} batches; ` +
        `takeovers ${first.takeoverMs} ms and ${second.takeoverMs} ms (lease ${LEASE_TTL_MS} ms, ` +
        `poll ${POLL_MS} ms); ${stats.sentToKilled} requests to the killed API retried, ` +
        `${stats.duplicatesOnRetry} of their events already stored and counted once\n`,
    );
  }, 240_000);
});
