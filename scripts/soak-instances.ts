/**
 * npm run soak:instances -- [--seconds 300] [--kill-every 20] [--lease-ms 4000] [--poll-ms 1000]
 *   [--apis 2] [--clients 4]
 * The multi-instance test (test/multiInstance.int.spec.ts) for longer: one `npm run eventstore`,
 * one `npm run mongo`, API instances and two projector instances as processes; every
 * `--kill-every` seconds kill -9 of the projector holding the leases (a new one is started to
 * stand by) and, every other time, of an API instance (restarted; its in-flight requests are
 * retried on another with the same ids). At the end: the log holds every acknowledged event
 * once, and every read model answers as a fresh instance that projected the whole log.
 * Exits non-zero on any failed request or difference.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { signToken } from '../src/auth/token';
import { JWT_SECRET, killLeaseHolder, startInstances, until } from './lib/instances';
import { countersMatch, countsFromLog, differences, readModelView } from './lib/recompute';
import { retryingLoad } from './lib/retryingLoad';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HOUR = 3_600_000;

function options() {
  const { values } = parseArgs({
    options: Object.fromEntries(
      ['seconds', 'kill-every', 'lease-ms', 'poll-ms', 'apis', 'clients'].map((k) => [
        k,
        { type: 'string' as const },
      ]),
    ),
  });
  const parsed = z
    .object({
      seconds: z.coerce.number().int().min(10).default(300),
      'kill-every': z.coerce.number().int().min(5).default(20),
      'lease-ms': z.coerce.number().int().min(1000).default(4000),
      'poll-ms': z.coerce.number().int().min(100).default(1000),
      apis: z.coerce.number().int().min(2).default(2),
      clients: z.coerce.number().int().min(1).default(4),
    })
    .safeParse(values);
  if (!parsed.success)
    throw new Error(
      parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('\n'),
    );
  return parsed.data;
}

async function registerTracks(url: string, tracks: string[], artistId: string) {
  const admin = signToken(JWT_SECRET, { sub: 'soak-admin', role: 'admin' });
  for (const trackId of tracks) {
    const res = await fetch(`${url}/api/tracks/${trackId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ artistId, title: trackId, durationSeconds: 200 }),
    });
    if (res.status >= 300) throw new Error(`catalog: ${res.status}`);
  }
}

async function main() {
  const o = options();
  process.stdout.write(
    `soak: ${os.cpus().length} cores, ${o.seconds} s, kill every ${o['kill-every']} s, ` +
      `lease ${o['lease-ms']} ms, poll ${o['poll-ms']} ms, ${o.apis} APIs, ${o.clients} clients\n`,
  );
  const instances = await startInstances({
    apis: o.apis,
    projectors: 2,
    leaseTtlMs: o['lease-ms'],
    pollMs: o['poll-ms'],
  });
  try {
    const artistId = 'soak-artist';
    const tracks = Array.from({ length: 12 }, (_, i) => `soak-${i}`);
    await registerTracks(instances.apis[0]!.url, tracks, artistId);
    const killed = new Set<string>();
    const urls = instances.apis.map((a) => a.url);
    const from = new Date(Math.floor((Date.now() - 3 * HOUR) / HOUR) * HOUR);
    const load = retryingLoad({
      urls,
      isKilled: (u) => killed.has(u),
      tracks,
      clients: o.clients,
      batchSize: 10,
      pauseMs: 30,
      from,
    });
    const takeovers: number[] = [];
    const end = Date.now() + o.seconds * 1000;
    for (let round = 0; Date.now() + o['kill-every'] * 1000 < end; round++) {
      await sleep(o['kill-every'] * 1000);
      const k = await killLeaseHolder(instances, o['lease-ms'] + o['poll-ms'] + 10_000);
      takeovers.push(k.takeoverMs);
      await instances.spawnProjector();
      if (round % 2 === 1) {
        const api = instances.apis.find((a) => !killed.has(a.url))!;
        killed.add(api.url);
        process.kill(api.pid, 'SIGKILL');
        const replacement = await instances.spawnRole('api');
        instances.apis.push(replacement);
        urls.push(replacement.url);
      }
      process.stdout.write(
        `${new Date().toISOString()} killed projector ${k.killedPid}, takeover ${k.takeoverMs} ms; ` +
          `${load.stats.events} events acknowledged\n`,
      );
    }
    await sleep(Math.max(0, end - Date.now()));
    const stats = await load.stop();
    const log = await countsFromLog(instances.es.connectionString, tracks);
    const live = instances.apis.find((a) => !killed.has(a.url))!;
    await until(() => countersMatch([live], tracks, log.counts), 120_000).catch(() => undefined);
    const verifier = await instances.spawnRole('api,projector', {
      MONGODB_DB: `${instances.mongoDb}_re`,
    });
    const view = {
      tracks,
      artistId,
      from,
      to: new Date(from.getTime() + 2 * HOUR),
      secret: JWT_SECRET,
    };
    let diff: string[] = ['not compared'];
    for (let deadline = Date.now() + 180_000; diff.length > 0 && Date.now() < deadline;) {
      diff = differences(await readModelView(live, view), await readModelView(verifier, view));
      if (diff.length > 0) await sleep(1000);
    }
    const lost = [...stats.acked].filter((id) => !log.ids.has(id)).length;
    const sorted = [...takeovers].sort((a, b) => a - b);
    process.stdout.write(
      `${stats.events} events in ${stats.batches} batches acknowledged; in the log: ${log.ids.size}, ` +
        `lost ${lost}, twice ${log.twice.length}; failed requests ${stats.failures.length}; ` +
        `${stats.sentToKilled} in flight on killed APIs retried (${stats.duplicatesOnRetry} events already stored); ` +
        `takeovers ${sorted.length}: min ${sorted[0]} ms, median ${sorted[Math.floor(sorted.length / 2)]} ms, ` +
        `max ${sorted.at(-1)} ms; read models differing from a recomputation: ${diff.length ? diff.join(', ') : 'none'}\n`,
    );
    for (const f of stats.failures.slice(0, 10)) process.stdout.write(`  failed: ${f}\n`);
    const ok =
      stats.failures.length === 0 &&
      lost === 0 &&
      log.twice.length === 0 &&
      log.ids.size === stats.acked.size &&
      diff.length === 0;
    process.exitCode = ok ? 0 : 1;
  } finally {
    await instances.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
