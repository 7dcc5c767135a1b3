import path from 'node:path';
import { z } from 'zod';
import { parseCliArgs } from '../cliArgs';
import { startEmbeddedEventStore } from './server';

/**
 * `tsx src/embedded-eventstore/cli.ts --port 2113 --data ./data/eventstore [--host 127.0.0.1]`
 * Runs the embedded server until SIGTERM/SIGINT. Logs are JSON lines on stderr; stdout gets one
 * line `{"port":N,"connectionString":...}` once listening, for scripts that spawn it.
 */
const argsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(2113),
  data: z.string().min(1).default('./data/eventstore'),
  host: z.string().min(1).default('127.0.0.1'),
  segmentSize: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .optional(),
});

const log = (level: string) => (o: object, msg?: string) =>
  process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...o })}\n`);

async function main(): Promise<void> {
  const parsed = argsSchema.safeParse(parseCliArgs(process.argv.slice(2)));
  if (!parsed.success) {
    process.stderr.write(`invalid arguments: ${parsed.error.message}\n`);
    process.exit(2);
  }
  const args = parsed.data;
  const logger = { info: log('info'), warn: log('warn'), error: log('error') };
  const server = await startEmbeddedEventStore({
    dataDir: path.resolve(args.data),
    port: args.port,
    host: args.host,
    segmentSize: args.segmentSize,
    logger,
  });
  process.stdout.write(
    `${JSON.stringify({ port: server.port, connectionString: server.connectionString })}\n`,
  );
  const stop = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: String(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'error', msg: 'embedded event store failed', err: String(err) })}\n`,
  );
  process.exit(1);
});
