/**
 * npm run restore -- <dir> [--drop-read-models | --keep-read-models]
 * With the service stopped: puts the backup in <dir> in place as DATA_DIR/eventstore (a store
 * already there is moved aside, never deleted), then makes sure the read models are rebuilt from
 * the restored log, since they describe a log that no longer exists:
 * - local read models (no MONGODB_URL): DATA_DIR/mongo is moved aside, and the next `npm start`
 *   projects the whole restored log into empty read models;
 * - MONGODB_URL: --drop-read-models drops MONGODB_DB (the next start projects the whole log), or
 *   --keep-read-models leaves it and you run `npm run projections:rebuild -- all` once started.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { loadConfig, type Config } from '../src/config/config';
import { moveAside, restoreEventStore } from '../src/embedded-eventstore/backup/restoreLog';
import { readDiscovery } from '../src/service/discovery';

type ReadModelChoice = 'local' | 'drop' | 'keep';

function readModelChoice(config: Config, drop?: boolean, keep?: boolean): ReadModelChoice {
  if (drop && keep) throw new Error('give --drop-read-models or --keep-read-models, not both');
  if (!config.mongoUrl) return 'local';
  if (drop) return 'drop';
  if (keep) return 'keep';
  throw new Error(
    `MONGODB_URL is set: its read models (database ${config.mongoDb}) describe the log before the ` +
      'restore. Add --drop-read-models (rebuilt on the next start) or --keep-read-models ' +
      '(then run npm run projections:rebuild -- all)',
  );
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'drop-read-models': { type: 'boolean' },
      'keep-read-models': { type: 'boolean' },
    },
  });
  const dir = positionals[0];
  if (!dir)
    throw new Error('usage: npm run restore -- <dir> [--drop-read-models | --keep-read-models]');
  const config = loadConfig();
  if (config.eventStoreUrl)
    throw new Error('EVENTSTORE_URL is set: restore a real EventStoreDB with its own procedure');
  const running = readDiscovery(config.dataDir);
  if (running.found)
    throw new Error(
      `the service (pid ${running.info.pid}) runs on ${config.dataDir}: stop it first`,
    );
  const choice = readModelChoice(config, values['drop-read-models'], values['keep-read-models']);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const storeDir = path.join(config.dataDir, 'eventstore');
  const { manifest, movedAside } = restoreEventStore(path.resolve(dir), storeDir, stamp);
  const out = [`restored ${manifest.events} events (log end ${manifest.logEnd}) into ${storeDir}`];
  if (movedAside) out.push(`the event store that was there is in ${movedAside}`);
  if (choice === 'local') {
    const aside = moveAside(path.join(config.dataDir, 'mongo'), stamp);
    if (aside) out.push(`the read models that were there are in ${aside}`);
    out.push('read models: the next npm start projects the restored log into empty read models');
  } else if (choice === 'drop') {
    const client = await MongoClient.connect(config.mongoUrl!);
    try {
      await client.db(config.mongoDb).dropDatabase();
    } finally {
      await client.close();
    }
    out.push(`read models: database ${config.mongoDb} dropped; the next start rebuilds them`);
  } else {
    out.push('read models kept: once started, run npm run projections:rebuild -- all');
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
