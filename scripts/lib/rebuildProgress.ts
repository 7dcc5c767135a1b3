import type { Db } from 'mongodb';
import { trackStreamPrefix } from '../../src/events/stored';
import type { EventStore } from '../../src/eventstore/eventStore';
import { checkpointsCollection, type CheckpointDoc } from '../../src/readModels/checkpointStore';
import { checkpointIdOf, loadPointer } from '../../src/readModels/pointers';
import { progressReporter } from './progress';

/**
 * The generation a rebuild of `name` will build: the one after the highest started (the same
 * rule as the supervisor's rebuild; used here only to find the checkpoint to watch).
 */
export async function nextGeneration(db: Db, name: string): Promise<number> {
  const pointer = await loadPointer(db, name);
  return Math.max(pointer?.generation ?? 0, pointer?.lastBuilt ?? 0) + 1;
}

/**
 * Watches the checkpoints of the generations being built and reports progress as a share of the
 * log (checkpoint position / head position), events applied and their rate. Stop with the
 * returned function.
 */
export function watchRebuild(
  db: Db,
  store: EventStore,
  builds: { name: string; generation: number }[],
  label: string,
): (final: boolean) => Promise<void> {
  const reporter = progressReporter({ label });
  const ids = builds.map((b) => checkpointIdOf(b.name, b.generation));
  const sample = async () => {
    const [docs, head] = await Promise.all([
      db
        .collection<CheckpointDoc>(checkpointsCollection)
        .find({ _id: { $in: ids } })
        .toArray(),
      store.headPosition([trackStreamPrefix]),
    ]);
    // All builds of `all` read one feed: the slowest tells how far the whole rebuild is.
    const slowest = ids.map((id) => docs.find((d) => d._id === id));
    const done = Math.min(...slowest.map((d) => d?.position ?? 0));
    const count = Math.min(...slowest.map((d) => d?.eventsApplied ?? 0));
    return { done, count, total: Number(head?.commit ?? 0n) };
  };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      reporter.update(await sample().catch(() => ({ done: 0, count: 0 })));
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return async (final) => {
    stopped = true;
    await loop;
    if (final) reporter.finish(await sample().catch(() => undefined));
  };
}
