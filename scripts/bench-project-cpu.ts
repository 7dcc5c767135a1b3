/**
 * CPU of the pure projections alone (no store, no database): the synthetic log of the
 * projections bench, cut into batches, each handed to `project()` of every projection, and the
 * ops' documents encoded as the writer stores them (src/readModels/documentCodecs.ts) and
 * serialized to BSON as the driver would. Isolates what the projector process
 * spends per event beyond reading the log and writing.
 *
 *   npx tsx scripts/bench-project-cpu.ts [--events 300000] [--batch 50000] [--rounds 3]
 */
import { serialize } from 'bson';
import { allProjections } from '../projections/all';
import type { Projection } from '../projections/types';
import { isStoredEventType, parseStoredEvent, type TrackEvent } from '../src/events/stored';
import { syntheticLog } from '../src/projector/testing/syntheticLog';
import { documentCodec } from '../src/readModels/documentCodecs';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg('events', 300_000);
const BATCH = arg('batch', 50_000);
const ROUNDS = arg('rounds', 3);

function events(): TrackEvent[] {
  const out: TrackEvent[] = [];
  let position = 0n;
  const log = syntheticLog({
    events: EVENTS,
    tracks: 1000,
    artists: 100,
    listeners: 50_000,
    from: new Date('2025-12-01T00:00:00Z'),
    to: new Date('2026-12-01T00:00:00Z'),
  });
  for (const { event } of log) {
    if (!isStoredEventType(event.type)) continue;
    position += 500n;
    out.push({
      type: event.type,
      id: event.id,
      data: parseStoredEvent(event.type, event.data),
      revision: 0n,
      position,
    } as TrackEvent);
  }
  return out;
}

function run(projection: Projection<unknown>, all: readonly TrackEvent[]) {
  const state = projection.state?.load([], 0);
  let docs = 0;
  let bytes = 0;
  const t0 = process.cpuUsage();
  for (let i = 0; i < all.length; i += BATCH) {
    const batch = all.slice(i, i + BATCH).filter((e) => projection.canHandle.includes(e.type));
    for (const op of projection.project(batch, state)) {
      const codec = op.insert ? documentCodec(op.collection) : undefined;
      const doc = codec
        ? codec.encode(op.insert!, op.id)
        : (op.insert ?? op.put ?? { ...op.set, ...op.inc });
      bytes += serialize(doc).length;
      docs++;
    }
  }
  const cpu = process.cpuUsage(t0);
  return { usPerEvent: (cpu.user + cpu.system) / all.length, docs, bytes };
}

const all = events();
console.log(`${all.length} events, batches of ${BATCH}`);
for (let r = 0; r < ROUNDS; r++) {
  for (const p of allProjections as Projection<unknown>[]) {
    const res = run(p, all);
    console.log(
      `round ${r + 1} ${p.name.padEnd(15)} ${res.usPerEvent.toFixed(1).padStart(6)} µs/event  ${res.docs} docs  ${(res.bytes / 2 ** 20).toFixed(1)} MB BSON`,
    );
  }
}
