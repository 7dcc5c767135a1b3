/**
 * npm run projections:rebuild -- <name|all>
 * Rebuilds read models from the start of the log into a fresh generation while the live one
 * keeps serving, then swaps the pointer; a running service follows the swap within seconds.
 * Connects to EVENTSTORE_URL / MONGODB_URL, else to the `npm start` running on DATA_DIR.
 * Progress (share of the log, events/s, ETA) on stderr; one result line per projection on stdout.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import { defaultBulkChunkSize } from '../src/mongo/bulkWrite';
import { serverQuirks } from '../src/mongo/serverQuirks';
import { WriteBudget, defaultUpdateBudget } from '../src/mongo/writeBudget';
import { leases } from '../src/projector/lease';
import { projectorSupervisor } from '../src/projector/supervisor';
import { connectForCli } from './lib/projectorCli';
import { nextGeneration, watchRebuild } from './lib/rebuildProgress';

async function main() {
  const arg = z
    .string({ message: 'usage: npm run projections:rebuild -- <name|all>' })
    .regex(/^[A-Za-z0-9_-]+$/, 'projection name: letters, digits, _ and -')
    .safeParse(process.argv[2]);
  if (!arg.success) throw new Error(arg.error.issues[0]!.message);
  const cli = await connectForCli();
  try {
    const names = arg.data === 'all' ? cli.registry.names() : [arg.data];
    const unknown = names.filter((n) => !cli.registry.get(n));
    if (unknown.length)
      throw new Error(
        `unknown projection ${unknown.join(', ')} (known: ${cli.registry.names().join(', ')}, all)`,
      );
    // A process of its own beside the service: its own budget, the service's default on FerretDB.
    const budget = new WriteBudget(
      cli.config.mongoUpdateBudget ?? defaultUpdateBudget(await serverQuirks(cli.db)),
    );
    const supervisor = projectorSupervisor({
      store: cli.store,
      db: cli.db,
      registry: cli.registry,
      logger: cli.logger,
      leases: leases(
        cli.db,
        `cli:${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
        budget,
      ),
      writeBudget: budget,
      batchSize: cli.config.projectorBatchSize,
      rebuildBatchSize: cli.config.projectorRebuildBatchSize,
      batchDelayMs: cli.config.projectorBatchDelayMs,
      batchMaxDelayMs: cli.config.projectorBatchMaxDelayMs,
      bulkChunkSize: cli.config.mongoBulkChunk ?? defaultBulkChunkSize('ferretdb'),
    });
    let failed = false;
    const all = names.length === cli.registry.names().length;
    const builds = [];
    for (const name of names) builds.push({ name, generation: await nextGeneration(cli.db, name) });
    // `all`: every projection at once, reading the log once.
    const stopAllWatch = all ? watchRebuild(cli.db, cli.store, builds, 'rebuild all') : undefined;
    const results = all ? await supervisor.rebuildAll() : [];
    await stopAllWatch?.(true);
    for (const build of builds) {
      const { name } = build;
      let r = results.find((x) => x.projection === name);
      if (!r) {
        const stopWatch = watchRebuild(cli.db, cli.store, [build], `rebuild ${name}`);
        r = await supervisor.rebuild(name);
        await stopWatch(r.ok);
      }
      failed ||= !r.ok;
      process.stdout.write(
        r.ok
          ? `${name}: generation ${r.generation} swapped in, ${r.events} events in ${r.seconds.toFixed(1)} s (${Math.round(r.events / r.seconds)} events/s)\n`
          : `${name}: ${r.reason}: ${r.message}\n`,
      );
    }
    process.exitCode = failed ? 1 : 0;
  } finally {
    await cli.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
