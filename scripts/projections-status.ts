/**
 * npm run projections:status
 * Per projection: serving generation, checkpoint, exact lag (events after the checkpoint, age
 * of the oldest), and events/s measured over two checkpoint readings 2 s apart.
 * Connects to EVENTSTORE_URL / MONGODB_URL, else to the `npm start` running on DATA_DIR.
 */
import { checkpointStore } from '../src/readModels/checkpointStore';
import { countLag } from '../src/projector/lagCount';
import { checkpointIdOf, loadPointer } from '../src/readModels/pointers';
import { connectForCli } from './lib/projectorCli';

async function main() {
  const cli = await connectForCli();
  try {
    const checkpoints = checkpointStore(cli.db);
    const ids = [];
    for (const name of cli.registry.names()) {
      const generation = (await loadPointer(cli.db, name))?.generation ?? 0;
      ids.push({ name, generation, id: checkpointIdOf(name, generation) });
    }
    // Two readings of every checkpoint 2 s apart (one wait for all projections): events/s.
    const first = await Promise.all(ids.map((p) => checkpoints.read(p.id)));
    await new Promise((r) => setTimeout(r, 2000));
    const rows = [];
    for (const [i, { name, generation, id }] of ids.entries()) {
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
          ((second?.eventsApplied ?? 0) - (first[i]?.eventsApplied ?? 0)) / 2,
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
