import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { startEmbeddedEventStore } from './server';
import type { StoreLogger } from './store/types';

type Options = { dataDir: string; port?: number; host?: string };
export type ThreadedEventStore = {
  port: number;
  connectionString: string;
  close(): Promise<void>;
  /** False when it fell back to running in-process. */
  threaded: boolean;
};
type FromWorker =
  | { kind: 'started'; port: number; connectionString: string }
  | { kind: 'failed'; message: string }
  | { kind: 'closed' }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; obj: object; msg?: string };

/**
 * Runs the embedded event store on its own thread, so its gRPC server and log I/O use the second
 * core instead of the HTTP event loop. TypeScript sources are loaded in the worker through tsx;
 * where the worker cannot start, the store runs in-process instead (with a warning).
 */
export async function startEmbeddedEventStoreInWorker(
  options: Options & { logger: StoreLogger; worker?: boolean },
): Promise<ThreadedEventStore> {
  const { logger, worker: useWorker = true, ...opts } = options;
  if (!useWorker) return inline(opts, logger);
  let worker: Worker;
  try {
    const file = path.join(__dirname, `inWorker${path.extname(__filename)}`);
    // Workers do not inherit tsx's loader: register it there before loading this file again.
    const boot = file.endsWith('.ts')
      ? `require('tsx/cjs/api').register(); require(${JSON.stringify(file)});`
      : `require(${JSON.stringify(file)});`;
    worker = new Worker(boot, { eval: true, workerData: opts });
  } catch (err) {
    logger.warn({ err }, 'event store worker unavailable; running in-process');
    return inline(opts, logger);
  }
  const started = await new Promise<FromWorker>((resolve) => {
    worker.on('message', (m: FromWorker) => {
      if (m.kind === 'log') logger[m.level](m.obj, m.msg);
      else resolve(m);
    });
    worker.once('error', (err) => resolve({ kind: 'failed', message: String(err) }));
    worker.once('exit', (code) => resolve({ kind: 'failed', message: `exited with ${code}` }));
  });
  if (started.kind !== 'started') {
    await worker.terminate();
    logger.warn({ reason: JSON.stringify(started) }, 'event store worker failed; in-process');
    return inline(opts, logger);
  }
  let closing: Promise<void> | undefined;
  return {
    port: started.port,
    connectionString: started.connectionString,
    threaded: true,
    close() {
      closing ??= new Promise<void>((resolve) => {
        worker.on('message', (m: FromWorker) => {
          if (m.kind === 'closed') void worker.terminate().then(() => resolve());
        });
        worker.once('exit', () => resolve());
        worker.postMessage('close');
      });
      return closing;
    },
  };
}

async function inline(opts: Options, logger: StoreLogger): Promise<ThreadedEventStore> {
  const store = await startEmbeddedEventStore({ ...opts, logger });
  return {
    port: store.port,
    connectionString: store.connectionString,
    close: () => store.close(),
    threaded: false,
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const log =
    (level: 'info' | 'warn' | 'error') =>
    (obj: object, msg?: string): void =>
      port.postMessage({ kind: 'log', level, obj: JSON.parse(JSON.stringify(obj)), msg });
  const logger: StoreLogger = { info: log('info'), warn: log('warn'), error: log('error') };
  startEmbeddedEventStore({ ...(workerData as Options), logger }).then(
    (store) => {
      port.postMessage({
        kind: 'started',
        port: store.port,
        connectionString: store.connectionString,
      });
      port.on('message', (m) => {
        if (m === 'close') void store.close().then(() => port.postMessage({ kind: 'closed' }));
      });
    },
    (err: unknown) => port.postMessage({ kind: 'failed', message: String(err) }),
  );
}
