import type { Db } from 'mongodb';
import type { Readiness } from '../http/healthRoutes';
import type { ProjectorSupervisor } from '../projector/supervisor';

/**
 * Ready when the read-model database answers and, on a projector instance, no projector has
 * failed. A projector instance standing by (another one holds the lease) is ready: it takes
 * over when the lease expires.
 */
export function readiness(deps: { db: Db; supervisor?: ProjectorSupervisor }): Readiness {
  return async () => {
    const checks: Record<string, string> = {};
    if (deps.supervisor) {
      const failed = deps.supervisor
        .status()
        .filter((p) => p.failed)
        .map((p) => p.name);
      checks.projectors = failed.length ? `failed: ${failed.join(', ')}` : 'ok';
    }
    try {
      await deps.db.command({ ping: 1 });
      checks.mongodb = 'ok';
    } catch {
      checks.mongodb = 'unreachable';
    }
    return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
  };
}
