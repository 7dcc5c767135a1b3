/**
 * npm run projections:status
 * Per projection: serving generation, checkpoint, exact lag (events after the checkpoint, age
 * of the oldest), and events/s measured over two checkpoint readings 2 s apart.
 */
import { checkpointStore } from '../src/readModels/checkpointStore';
import { countLag } from '../src/projector/lagCount';
import { checkpointIdOf, loadPointer } from '../src/readModels/pointers';
import { connectForCli } from './lib/projectorCli';

async function main() {
  const cli = await connectForCli();
  try {
    const checkpoints = checkpointStore(cli.db);
    const rows = [];
    for (const name of cli.registry.names()) {
      const pointer = await loadPointer(cli.db, name);
      const generation = pointer?.generation ?? 0;
      const id = checkpointIdOf(name, generation);
      const first = await checkpoints.read(id);
      await new Promise((r) => setTimeout(r, 2000));
      const second = await checkpoints.read(id);
      const position = BigInt(second?.position ?? 0);
      const lag = await countLag(cli.store, position);
      rows.push({
        projection: name,
        generation,
        checkpoint: position.toString(),
        pending: second?.pending ?? null,
        lagEvents: lag.capped ? `≥${lag.events}` : lag.events,
        lagSeconds: lag.oldest ? Math.round((Date.now() - lag.oldest.getTime()) / 100) / 10 : 0,
        eventsPerSecond: Math.round(
          ((second?.eventsApplied ?? 0) - (first?.eventsApplied ?? 0)) / 2,
        ),
        updatedAt: second?.updatedAt?.toISOString() ?? null,
      });
    }
    console.table(rows);
  } finally {
    await cli.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
