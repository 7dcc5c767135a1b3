/**
 * npm run dataset -- [--events 1000000] [--tracks 1000] [--artists 100] [--listeners 50000]
 *                    [--days 365] [--seed 1] [--ndjson <file>]
 *
 * The benchmark data set: a year of listener events (Zipf-like track and listener popularity,
 * ~10% of catalog events arriving after the track's first plays), deterministic for a seed.
 * Default: appended straight to the event store (EVENTSTORE_URL, else the event store of the
 * `npm start` running on DATA_DIR, else EVENTSTORE_PORT on this machine) in multi-event appends per stream. `--ndjson <file>`
 * instead writes the ingestion shape for `npm run import` / `POST /api/admin/import`
 * (catalog events are not part of that shape and are skipped there: register tracks with
 * `PUT /api/tracks/:id`).
 */
import fs from 'node:fs';
import { z } from 'zod';
import { loadConfig } from '../src/config/config';
import { readDiscovery } from '../src/service/discovery';
import { connectEventStore } from '../src/eventstore/esdbEventStore';
import { loadLog } from '../src/projector/testing/loadLog';
import { syntheticLog, type SyntheticEvent } from '../src/projector/testing/syntheticLog';

const argsSchema = z.object({
  events: z.coerce.number().int().positive().default(1_000_000),
  tracks: z.coerce.number().int().positive().default(1000),
  artists: z.coerce.number().int().positive().default(100),
  listeners: z.coerce.number().int().positive().default(50_000),
  days: z.coerce.number().int().positive().default(365),
  seed: z.coerce.number().int().default(1),
  ndjson: z.string().optional(),
});

export function parseArgs(argv: string[]) {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]!;
    if (!key.startsWith('--') || argv[i + 1] === undefined) throw new Error(`bad argument ${key}`);
    raw[key.slice(2)] = argv[i + 1]!;
  }
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'),
    );
  }
  return parsed.data;
}

export function datasetLog(args: ReturnType<typeof parseArgs>, to = new Date()) {
  const end = new Date(Math.floor(to.getTime() / 3_600_000) * 3_600_000);
  return syntheticLog({
    events: args.events,
    tracks: args.tracks,
    artists: args.artists,
    listeners: args.listeners,
    from: new Date(end.getTime() - args.days * 86_400_000),
    to: end,
    seed: args.seed,
  });
}

/** The ingestion wire shape of a stored listener event (import keeps timestamps as given). */
function toWire({ event }: SyntheticEvent): unknown {
  const d = event.data as Record<string, unknown>;
  const kind = {
    TrackPlayed: ['play'],
    TrackSkipped: ['play'],
    TrackLiked: ['like', 'like'],
    TrackUnliked: ['like', 'unlike'],
    TrackSaved: ['save', 'save'],
    TrackUnsaved: ['save', 'unsave'],
    TrackShared: ['share'],
    TrackDownloaded: ['download'],
  }[event.type as string];
  if (!kind) return undefined;
  return {
    id: event.id,
    type: kind[0],
    trackId: d.trackId,
    sessionId: d.sessionId,
    anonymousId: d.listenerId,
    timestamp: d.occurredAt,
    ...(kind[1] ? { action: kind[1] } : {}),
    ...(d.source ? { source: d.source } : {}),
    ...(d.playlistId ? { playlistId: d.playlistId } : {}),
    ...(d.durationSeconds !== undefined ? { duration: d.durationSeconds } : {}),
    ...(d.completionRate !== undefined ? { completionRate: d.completionRate } : {}),
    ...(d.replayed !== undefined ? { replayed: d.replayed } : {}),
    ...(d.platform ? { platform: d.platform } : {}),
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  if (args.ndjson) {
    const out = fs.createWriteStream(args.ndjson);
    let n = 0;
    for (const e of datasetLog(args)) {
      const wire = toWire(e);
      if (!wire) continue;
      if (!out.write(`${JSON.stringify(wire)}\n`))
        await new Promise<void>((r) => out.once('drain', () => r()));
      n++;
    }
    await new Promise((r) => out.end(r));
    process.stdout.write(
      `wrote ${n} events to ${args.ndjson} in ${(Date.now() - started) / 1000} s\n`,
    );
    return;
  }
  const config = loadConfig();
  const running = readDiscovery(config.dataDir);
  const url =
    config.eventStoreUrl ??
    (running.found
      ? running.info.eventStoreUrl
      : `esdb://127.0.0.1:${config.eventStorePort}?tls=false`);
  const store = connectEventStore(url);
  let done = 0;
  let last = Date.now();
  try {
    const total = await loadLog(store, datasetLog(args), {
      chunkSize: 5000,
      onChunk: (n) => {
        done += n;
        if (Date.now() - last > 5000) {
          last = Date.now();
          process.stdout.write(
            `${done} events, ${Math.round(done / ((last - started) / 1000))}/s\n`,
          );
        }
      },
    });
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `appended ${total} events to ${url} in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s)\n`,
    );
  } finally {
    await store.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
