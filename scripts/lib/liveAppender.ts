/**
 * Load generator for the live part of bench-projections, in its own process (as ingestion
 * would be: the projectors' process must not be the one whose event loop paces the load).
 * argv: <eventStoreUrl> <json SyntheticLogOptions-like args> ; sends over IPC, per tick,
 * `{ at, position, events }` (append acknowledged at `at`, head commit position after it), then
 * `{ done, events, ms }`.
 */
import { trackStreamPrefix } from '../../src/events/stored';
import { connectEventStore } from '../../src/eventstore/esdbEventStore';
import { loadLog } from '../../src/projector/testing/loadLog';
import { syntheticLog, type SyntheticEvent } from '../../src/projector/testing/syntheticLog';

type Args = {
  url: string;
  rate: number;
  seconds: number;
  tracks: number;
  artists: number;
  listeners: number;
  from: string;
  /** Also append the generator's catalog events (every track registered again). */
  catalog?: number;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const args = JSON.parse(process.argv[2]!) as Args;
  const store = connectEventStore(args.url);
  const tick = 200;
  const perTick = Math.round((args.rate * tick) / 1000);
  const from = new Date(args.from);
  const log = syntheticLog({
    events: args.rate * args.seconds,
    tracks: args.tracks,
    artists: args.artists,
    listeners: args.listeners,
    from,
    to: new Date(from.getTime() + args.seconds * 1000),
    seed: 2,
  })[Symbol.iterator]();
  const started = Date.now();
  let sent = 0;
  for (let i = 0; i < (args.seconds * 1000) / tick; i++) {
    const batch: SyntheticEvent[] = [];
    while (batch.length < perTick) {
      const n = log.next();
      if (n.done) break;
      // The tracks are in the catalog already (the loaded log registered them): plays etc. only.
      if (n.value.event.type === 'TrackRegistered' && !args.catalog) continue;
      batch.push(n.value);
    }
    await loadLog(store, batch, { chunkSize: batch.length + 1, concurrency: 32 });
    const at = Date.now();
    const head = await store.headPosition([trackStreamPrefix]);
    sent += batch.length;
    process.send!({ at, position: String(head?.commit ?? 0n), events: batch.length });
    const wait = started + (i + 1) * tick - Date.now();
    if (wait > 0) await sleep(wait);
  }
  process.send!({ done: true, events: sent, ms: Date.now() - started });
  await store.close();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
