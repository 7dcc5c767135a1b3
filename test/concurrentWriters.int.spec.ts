import { randomUUID } from 'node:crypto';
import { allProjections } from '../projections/all';
import { trackCounters } from '../projections/trackCounters';
import { trackRollups } from '../projections/trackRollups';
import { signToken } from '../src/auth/token';
import { loadPointer, physicalName } from '../src/readModels/pointers';
import { JWT_SECRET, startInstances, until, type Instances } from '../scripts/lib/instances';
import { countersMatch, countsFromLog, differences, readModelView } from '../scripts/lib/recompute';
import { retryingLoad } from '../scripts/lib/retryingLoad';
import type { SpawnedService } from '../scripts/lib/service';
import { runCli } from './cliProcess';
import { settlesWithin } from '../src/mongo/testing/settlesWithin';

/**
 * Every write path against one FerretDB at once, on servers of this file's own (FerretDB 1.24
 * hangs a database for good when the update commands in flight need more than its pool; the
 * run's shared server must not be the one): two service processes with every role (projectors,
 * jobs on crons of a second or two, API), listener events posted to both, catalog entries moving
 * tracks between artists, and `npm run projections:rebuild -- all` as a third process. The three
 * budgets sum to 96, under SQLite's pool of 100 (README, Writing to FerretDB).
 */
const BUDGET = '32';
const hour = 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('projectors, jobs, catalog writes and a rebuild at once on one FerretDB', () => {
  const run = randomUUID().slice(0, 6);
  const artists = [0, 1, 2].map((a) => `cw-${run}-artist${a}`);
  const tracks = Array.from({ length: 12 }, (_, i) => `cw-${run}-${i}`);
  const admin = signToken(JWT_SECRET, { sub: 'cw-admin', role: 'admin' });
  let instances: Instances;
  // What the instances log at warn and above (pino JSON lines, level 40+).
  const warnings: { level: number; msg: string; line: string }[] = [];
  const watch = (line: string) => {
    if (!line.startsWith('{')) return;
    try {
      const { level, msg } = JSON.parse(line) as { level: number; msg: string };
      if (level >= 40) warnings.push({ level, msg, line: line.slice(0, 500) });
    } catch {
      /* not a log line */
    }
  };

  const putTrack = async (service: SpawnedService, trackId: string, artistId: string) => {
    const res = await fetch(`${service.url}/api/tracks/${trackId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ artistId, title: trackId, durationSeconds: 200 }),
    });
    if (res.status >= 300) throw new Error(`PUT ${trackId}: ${res.status} ${await res.text()}`);
  };

  beforeAll(async () => {
    instances = await startInstances({
      apis: 0,
      projectors: 2,
      projectorRoles: 'api,projector,jobs',
      // The default lease: a projector that stops renewing for this long while still writing
      // would overlap its successor (leases do not fence writes), so none may be lost here.
      leaseTtlMs: 30_000,
      pollMs: 1000,
      onOutput: watch,
      env: {
        MONGODB_UPDATE_BUDGET: BUDGET,
        JOBS_ENABLED: 'true',
        JOB_ROLLUP_COMPACT_CRON: '* * * * * *',
        JOB_COMPACT_CRON: '*/2 * * * * *',
        JOB_RECONCILE_CRON: '*/2 * * * * *',
        // Retired generations (the rebuild's) are dropped while the load goes on.
        PROJECTOR_DROP_GRACE_MS: '3000',
      },
    });
    for (const [i, trackId] of tracks.entries())
      await putTrack(instances.projectors[0]!, trackId, artists[i % artists.length]!);
  }, 180_000);
  afterAll(async () => {
    await instances?.stop();
  }, 60_000);

  it('all finish, the log holds each event once, read models equal a recomputation', async () => {
    const [one, two] = instances.projectors as [SpawnedService, SpawnedService];
    // Yesterday's hour: the reconciliation job (`reconcile-yesterday`) compares these events.
    const from = new Date(Math.floor((Date.now() - 24 * hour) / hour) * hour);
    const load = retryingLoad({
      urls: [one.url, two.url],
      isKilled: () => false,
      tracks,
      clients: 4,
      batchSize: 20,
      pauseMs: 20,
      from,
    });
    // Catalog changes all along: each PUT moves a track to the next artist, on either instance.
    let moving = true;
    const moved = new Set<string>();
    const catalogErrors: string[] = [];
    const mover = (async () => {
      for (let k = 0; moving; k++) {
        const i = k % tracks.length;
        const artist = artists[(i + 1 + Math.floor(k / tracks.length)) % artists.length]!;
        await putTrack(k % 2 ? two : one, tracks[i]!, artist).catch((err: unknown) =>
          catalogErrors.push(String(err)),
        );
        moved.add(tracks[i]!);
        await sleep(150);
      }
    })();

    await sleep(4000);
    const rebuild = runCli(
      'scripts/projections-rebuild.ts',
      ['all'],
      { DATA_DIR: one.dataDir, MONGODB_UPDATE_BUDGET: BUDGET },
      60_000,
    );
    const rebuilt = await rebuild;
    await sleep(4000); // the load and the jobs go on past the swap
    moving = false;
    const stopped = load.stop();
    expect(await settlesWithin(Promise.all([stopped, mover]), 30_000)).toBe(true);
    const stats = await stopped;

    // No hang: the rebuild ended on its own, every request was answered, FerretDB answers a find.
    expect({ code: rebuilt.code, stderr: rebuilt.code === 0 ? '' : rebuilt.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    for (const { name } of allProjections)
      expect(rebuilt.stdout).toMatch(new RegExp(`${name}: generation 1 swapped in`));
    expect(stats.failures).toEqual([]);
    expect(catalogErrors).toEqual([]);
    expect(moved.size).toBe(tracks.length);
    const find = instances.db.collection('read_model_pointers').find({}).toArray();
    expect(await settlesWithin(find, 5_000)).toBe(true);

    // The log holds every acknowledged event once, and nothing else.
    const log = await countsFromLog(instances.es.connectionString, tracks);
    expect(log.twice).toEqual([]);
    expect(log.ids.size).toBe(stats.acked.size);
    expect([...stats.acked].every((id) => log.ids.has(id))).toBe(true);

    // Both instances serve counters equal to the log (the swapped-in generation, compacted).
    await until(() => countersMatch([one, two], tracks, log.counts), 30_000);

    // The jobs ran on the new generation: compacted counters and rollups, the old one dropped.
    let jobState: unknown;
    const jobsRan = until(async () => {
      const counters = await loadPointer(instances.db, trackCounters.name);
      const rollups = await loadPointer(instances.db, trackRollups.name);
      if (!counters || !rollups || counters.generation !== 1 || rollups.generation !== 1)
        return false;
      const [compacted, directory] = await Promise.all([
        instances.db
          .collection(physicalName('track_counters', 1))
          .countDocuments({ kind: 'compacted' }),
        instances.db.collection(physicalName('track_rollups.dir', 1)).countDocuments({}),
      ]);
      jobState = { compacted, directory, retired: [counters.retired, rollups.retired] };
      return (
        compacted > 0 && directory > 0 && !counters.retired?.length && !rollups.retired?.length
      );
    }, 20_000);
    await expect(
      jobsRan.catch((err: Error) => `${err.message}: ${JSON.stringify(jobState)}`),
    ).resolves.toBeUndefined();

    // A recomputation: a fresh instance projecting the whole log into a database of its own
    // (another database: FerretDB's pool is per database).
    const verifier = await instances.spawnRole('api,projector', {
      MONGODB_DB: `${instances.mongoDb}_re`,
      JOBS_ENABLED: 'false',
    });
    const view = async (service: SpawnedService) => {
      const all: Record<string, unknown> = {};
      for (const [a, artistId] of artists.entries()) {
        const v = await readModelView(service, {
          tracks: a === 0 ? tracks : [],
          artistId,
          from,
          to: new Date(from.getTime() + 2 * hour),
          secret: JWT_SECRET,
        });
        for (const [k, value] of Object.entries(v)) all[`${artistId} ${k}`] = value;
      }
      return all;
    };
    let diff: string[] = ['not compared yet'];
    const deadline = Date.now() + 45_000;
    while (diff.length > 0 && Date.now() < deadline) {
      const [live1, live2, recomputed] = [await view(one), await view(two), await view(verifier)];
      const show = (live: Record<string, unknown>, name: string) =>
        differences(live, recomputed).map(
          (k) =>
            `${name}: ${k}: ${JSON.stringify(live[k]).slice(0, 300)} ` +
            `recomputed ${JSON.stringify(recomputed[k]).slice(0, 300)}`,
        );
      diff = [...show(live1, 'instance 1'), ...show(live2, 'instance 2')];
      if (diff.length > 0) await sleep(500);
    }
    expect(diff).toEqual([]);
    // No job failed, no lease was lost, and the reconciliation found no drift (there is none:
    // every write counted once).
    expect(warnings.filter((w) => w.level >= 50 || /drift|lease lost/.test(w.msg))).toEqual([]);
    process.stdout.write(
      `concurrent writers: ${stats.events} events in ${stats.batches} batches, ` +
        `${tracks.length} tracks moved between ${artists.length} artists, ` +
        `rebuild: ${rebuilt.stdout.trim().split('\n').join('; ')}\n`,
    );
  }, 240_000);
});
