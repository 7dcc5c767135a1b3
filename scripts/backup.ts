/**
 * npm run backup -- <dir> [--segment-size <bytes>]
 * A consistent copy of the embedded event store in DATA_DIR/eventstore, taken while the service
 * runs and takes writes (or while it is stopped): every event acknowledged before the command
 * started is in it, each once. Restore with `npm run restore -- <dir>` (service stopped).
 * A real EventStoreDB (EVENTSTORE_URL) is backed up with its own procedure (README).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../src/config/config';
import { backupEventStore } from '../src/embedded-eventstore/backup/backupLog';
import { connectEventStore } from '../src/eventstore/esdbEventStore';
import { readDiscovery } from '../src/service/discovery';
import { progressReporter } from './lib/progress';

const EXTERNAL =
  'the service uses an external EventStoreDB (EVENTSTORE_URL): back it up with its own procedure ' +
  '(https://developers.eventstore.com/server/v24.10/operations.html#backup-and-restore); ' +
  'this command copies the embedded event store only';

async function headOfRunningStore(url: string): Promise<bigint | undefined> {
  const store = connectEventStore(url);
  try {
    return (await store.headPosition(['']))?.commit;
  } finally {
    await store.close();
  }
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'segment-size': { type: 'string' } },
  });
  const args = z
    .object({
      dir: z.string({ message: 'usage: npm run backup -- <dir>' }).min(1),
      segmentSize: z.coerce
        .number()
        .int()
        .min(1024 * 1024)
        .optional(),
    })
    .safeParse({ dir: positionals[0], segmentSize: values['segment-size'] });
  if (!args.success) throw new Error(args.error.issues.map((i) => i.message).join('\n'));
  const config = loadConfig();
  const running = readDiscovery(config.dataDir);
  if (config.eventStoreUrl || (running.found && !running.info.eventStoreEmbedded))
    throw new Error(EXTERNAL);
  // Asked before the copy starts: the copy must reach at least this far.
  const headAtStart = running.found
    ? await headOfRunningStore(running.info.eventStoreUrl)
    : undefined;
  const targetDir = path.resolve(args.data.dir);
  const progress = progressReporter({ label: 'backup', unit: 'MB' });
  const started = Date.now();
  const manifest = backupEventStore({
    sourceDir: path.join(config.dataDir, 'eventstore'),
    targetDir,
    ...(args.data.segmentSize ? { segmentSize: args.data.segmentSize } : {}),
    ...(headAtStart !== undefined ? { headAtStart } : {}),
    onProgress: (done, total) => progress.update({ done, total, count: Math.round(done / 1e6) }),
  });
  const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
  process.stdout.write(
    `backup of ${manifest.events} events (${(bytes / 1e6).toFixed(1)} MB, log end ${manifest.logEnd}) ` +
      `in ${targetDir}, ${((Date.now() - started) / 1000).toFixed(1)} s` +
      `${running.found ? ' while the service ran' : ''}; restore: npm run restore -- ${targetDir}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
