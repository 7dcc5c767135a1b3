import type { Db } from 'mongodb';
import schedule from 'node-schedule';
import type { Config } from '../config/config';
import type { EventStore } from '../eventstore/eventStore';
import type { Logger } from '../logger';
import type { WriteBudget } from '../mongo/writeBudget';
import type { Leases } from '../projector/lease';
import { applyRetention } from './applyRetention';
import { compactCounters } from './compactCounters';
import { compactRollups } from '../readModels/rollups/compaction';
import { dropRetiredGenerations } from './maintenance';
import { reconcileDay } from './reconcileDay';

/**
 * `leaseMs`: how long a run may hold the job's lease (default 30 min). A process killed during a
 * run leaves it held that long, so frequent jobs take a short one.
 */
type JobDef = { name: string; cron: string; run: () => Promise<unknown>; leaseMs?: number };

/**
 * node-schedule jobs (UTC). Each run takes a MongoDB lease named after the job, so with several
 * instances one of them runs it; a run still in progress on this instance is not started again.
 * Every job is idempotent, so a second run after a crash or a lost lease is harmless.
 */
export function startJobs(deps: {
  db: Db;
  store: EventStore;
  logger: Logger;
  leases: Leases;
  config: Config;
  /** The process's update budget (see `WriteBudget`), shared with the projectors. */
  writeBudget: WriteBudget;
  clock?: () => Date;
}) {
  const { db, store, config, writeBudget: budget } = deps;
  const clock = deps.clock ?? (() => new Date());
  const log = deps.logger.child({ component: 'jobs' });
  const defs: JobDef[] = [
    {
      name: 'compact-rollups',
      cron: config.jobRollupCompactCron,
      run: () => compactRollups(db, budget),
      leaseMs: 5 * 60_000,
    },
    {
      name: 'compact-counters',
      cron: config.jobCompactCron,
      run: () => compactCounters(db, budget),
    },
    {
      name: 'drop-retired-generations',
      cron: config.jobCompactCron,
      run: () => dropRetiredGenerations(db, budget, config.projectorDropGraceMs, clock()),
    },
    {
      name: 'reconcile-yesterday',
      cron: config.jobReconcileCron,
      run: async () => {
        const report = await reconcileDay(db, store, new Date(clock().getTime() - 86_400_000), {
          repair: true,
          budget,
        });
        if (report.drift.length > 0) {
          log.warn(
            { day: report.day, drift: report.drift.slice(0, 50), total: report.drift.length },
            'drift found and repaired',
          );
        }
        return { day: report.day, drift: report.drift.length, eventsScanned: report.eventsScanned };
      },
    },
    {
      name: 'retention',
      cron: config.jobRetentionCron,
      run: async () =>
        config.retentionMaxAgeDays > 0
          ? applyRetention(db, store, config.retentionMaxAgeDays)
          : 'disabled',
    },
  ];
  const running = new Set<string>();
  const runJob = async (def: JobDef) => {
    if (running.has(def.name)) return { skipped: 'still running' };
    running.add(def.name);
    const lease = `job:${def.name}`;
    try {
      if (!(await deps.leases.acquire(lease, def.leaseMs ?? 30 * 60_000)))
        return { skipped: 'another instance holds the lease' };
      const started = Date.now();
      const result = await def.run();
      log.info({ job: def.name, ms: Date.now() - started, result }, 'job done');
      return result;
    } catch (err) {
      log.error({ err, job: def.name }, 'job failed');
      throw err;
    } finally {
      running.delete(def.name);
      await deps.leases.release(lease).catch(() => undefined);
    }
  };
  const scheduled = defs.map((def) =>
    schedule.scheduleJob(
      def.name,
      { rule: def.cron, tz: 'Etc/UTC' },
      () => void runJob(def).catch(() => undefined),
    ),
  );
  return {
    /** Runs a job now (admin/tests), with the same lease and guard. */
    runNow(name: string) {
      const def = defs.find((d) => d.name === name);
      if (!def) throw new Error(`unknown job ${name}`);
      return runJob(def);
    },
    async stop(): Promise<void> {
      for (const job of scheduled) job?.cancel();
      while (running.size > 0) await new Promise((r) => setTimeout(r, 50));
    },
  };
}

export type Jobs = ReturnType<typeof startJobs>;
