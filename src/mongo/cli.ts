import path from 'node:path';
import { z } from 'zod';
import { parseCliArgs } from '../cliArgs';
import { createLogger } from '../logger';
import { provisionMongo } from './provision';

/**
 * `npm run mongo -- --port 27017 --data ./data/mongo [--host 127.0.0.1] [--provider auto]`
 * Starts the local MongoDB-compatible server on its own, exactly as `npm start` provisions it
 * when MONGODB_URL is unset (FerretDB where Go is available, else mongodb-memory-server), for
 * several instances to share. Runs until SIGTERM/SIGINT. Logs are JSON lines on stderr; stdout
 * gets one line `{"port":N,"url":...,"kind":...}` once it answers ping, for scripts that spawn it.
 */
const argsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(27017),
  data: z.string().min(1).default('./data/mongo'),
  host: z.string().min(1).default('127.0.0.1'),
  provider: z.enum(['auto', 'ferretdb', 'memory']).default('auto'),
});

async function main(): Promise<void> {
  const parsed = argsSchema.safeParse(parseCliArgs(process.argv.slice(2)));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`);
    process.stderr.write(`invalid arguments:\n${lines.join('\n')}\n`);
    process.exit(2);
  }
  const args = parsed.data;
  // pino writes to stdout by default; stdout is kept for the one ready line.
  const logger = createLogger('info', 2);
  const mongo = await provisionMongo({
    dataDir: path.resolve(args.data),
    port: args.port,
    host: args.host,
    provider: args.provider,
    logger,
  });
  const port = Number(new URL(mongo.url).port);
  process.stdout.write(`${JSON.stringify({ port, url: mongo.url, kind: mongo.kind })}\n`);
  const stop = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    mongo.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
