import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ConcurrencyError, UnavailableError } from '../errors';
import { connectEventStore } from '../eventstore/esdbEventStore';
import type { NewEvent } from '../eventstore/eventStore';
import { TrackWriter, type WriteOutcome } from './trackWriter';

/** What the HTTP side needs of a deduplicating writer, in-process or on a thread. */
export interface StreamWriter {
  write(stream: string, events: NewEvent[]): Promise<WriteOutcome[]>;
  readonly size: { streams: number; ids: number };
}

type WorkerOptions = { url: string; windowMs: number; maxCachedIds: number };
type Job = { id: number; stream: string; events: NewEvent[] };
type ToWorker = { kind: 'write'; jobs: Job[] } | { kind: 'close' };
type Done =
  | { id: number; outcomes: WriteOutcome[] }
  | { id: number; error: { type?: string; message: string } };
type FromWorker =
  | { kind: 'ready' }
  | {
      kind: 'done';
      done: Done[];
      /** Appends since the last message: [events, seconds]. */
      appends: [number, number][];
      size: { streams: number; ids: number };
    }
  | { kind: 'closed' };

const domainErrors: Record<string, new (message: string) => Error> = {
  UnavailableError,
  ConcurrencyError,
};

/**
 * The deduplicating writer (TrackWriter) on its own thread with its own event-store client: the
 * client's per-event work (JSON and protobuf encoding, gRPC framing, replies) leaves the HTTP
 * event loop, which keeps parsing, validation and deciding. One writer owns all dedup state, as
 * before: the HTTP side only forwards. Writes issued in the same tick travel in one message.
 */
export class ThreadedTrackWriter implements StreamWriter {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (o: WriteOutcome[]) => void; reject: (e: unknown) => void }
  >();
  private outbox: Job[] = [];
  private lastSize = { streams: 0, ids: 0 };
  private closing: Promise<void> | undefined;
  private dead: string | undefined;

  private worker: Worker;
  private startedAt = 0;
  private readyResolve: (() => void) | undefined;
  /** Resolves once the first thread listens (or has died): await it before taking requests. */
  readonly ready: Promise<void>;
  private readonly boot: string;
  private readonly data: WorkerOptions;
  private readonly onAppend: ((events: number, seconds: number) => void) | undefined;

  /**
   * Starts the thread. Writes may be issued at once: the thread receives them once it listens.
   * Should the thread die, the writes in flight fail with 503 (a retry is safe: the new thread
   * reads each stream back before writing to it) and a new thread takes over, unless the last
   * one died within `minLifeMs` (5 s) of starting; then every write fails with 503.
   */
  constructor(
    private readonly options: WorkerOptions & {
      onAppend?: (events: number, seconds: number) => void;
      minLifeMs?: number;
    },
  ) {
    const file = path.join(__dirname, `writerWorker${path.extname(__filename)}`);
    // Workers do not inherit tsx's loader: register it there before loading this file again.
    this.boot = file.endsWith('.ts')
      ? `require('tsx/cjs/api').register(); require(${JSON.stringify(file)});`
      : `require(${JSON.stringify(file)});`;
    const { onAppend, minLifeMs: _, ...data } = options;
    this.data = data;
    this.onAppend = onAppend;
    this.ready = new Promise<void>((resolve) => (this.readyResolve = resolve));
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    this.startedAt = Date.now();
    const worker = new Worker(this.boot, { eval: true, workerData: this.data });
    worker.on('message', (m: FromWorker) => {
      if (m.kind === 'ready') this.readyResolve?.();
      if (m.kind !== 'done') return;
      this.lastSize = m.size;
      for (const [events, seconds] of m.appends) this.onAppend?.(events, seconds);
      for (const d of m.done) {
        const p = this.pending.get(d.id);
        if (!p) continue;
        this.pending.delete(d.id);
        if ('outcomes' in d) p.resolve(d.outcomes);
        else {
          const E = d.error.type ? domainErrors[d.error.type] : undefined;
          p.reject(E ? new E(d.error.message) : new Error(d.error.message));
        }
      }
    });
    let why = 'ingestion writer stopped';
    worker.on('error', (err) => {
      why = `ingestion writer failed: ${String(err)}`;
    });
    worker.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new UnavailableError(why));
      this.pending.clear();
      this.readyResolve?.();
      if (this.closing || worker !== this.worker) return;
      if (Date.now() - this.startedAt < (this.options.minLifeMs ?? 5_000)) this.dead = why;
      else this.worker = this.spawn();
    });
    return worker;
  }

  write(stream: string, events: NewEvent[]): Promise<WriteOutcome[]> {
    if (this.closing || this.dead) {
      return Promise.reject(new UnavailableError(this.dead ?? 'ingestion writer is stopping'));
    }
    const id = this.nextId++;
    if (this.outbox.length === 0) queueMicrotask(() => this.flush());
    this.outbox.push({ id, stream, events });
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  get size(): { streams: number; ids: number } {
    return this.lastSize;
  }

  /** Finishes the writes in flight, closes the thread's client and ends the thread. */
  close(): Promise<void> {
    if (this.dead) return Promise.resolve();
    this.closing ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.worker.terminate().then(() => resolve()), 10_000);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.worker.on('message', (m: FromWorker) => {
        if (m.kind === 'closed') void this.worker.terminate();
      });
      this.worker.postMessage({ kind: 'close' } satisfies ToWorker);
    });
    return this.closing;
  }

  private flush(): void {
    const jobs = this.outbox;
    this.outbox = [];
    if (jobs.length > 0) this.worker.postMessage({ kind: 'write', jobs } satisfies ToWorker);
  }
}

function runWorker(port: NonNullable<typeof parentPort>, options: WorkerOptions): void {
  const store = connectEventStore(options.url);
  let appends: [number, number][] = [];
  const writer = new TrackWriter({
    store,
    windowMs: options.windowMs,
    maxCachedIds: options.maxCachedIds,
    onAppend: (events, seconds) => appends.push([events, seconds]),
  });
  let done: Done[] = [];
  let scheduled = false;
  let inFlight = 0;
  let onIdle: (() => void) | undefined;
  // Replies finished in the same tick travel in one message.
  const reply = (d: Done) => {
    done.push(d);
    inFlight -= 1;
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        port.postMessage({ kind: 'done', done, appends, size: writer.size } satisfies FromWorker);
        done = [];
        appends = [];
        if (inFlight === 0) onIdle?.();
      });
    }
  };
  port.postMessage({ kind: 'ready' } satisfies FromWorker);
  port.on('message', (m: ToWorker) => {
    if (m.kind === 'close') {
      const finish = () =>
        void store.close().then(() => port.postMessage({ kind: 'closed' } satisfies FromWorker));
      if (inFlight === 0 && !scheduled) finish();
      else onIdle = finish;
      return;
    }
    for (const job of m.jobs) {
      inFlight += 1;
      writer.write(job.stream, job.events).then(
        (outcomes) => reply({ id: job.id, outcomes }),
        (err: unknown) => {
          const e = err as { type?: unknown; message?: unknown };
          reply({
            id: job.id,
            error: {
              ...(typeof e?.type === 'string' ? { type: e.type } : {}),
              message: typeof e?.message === 'string' ? e.message : String(err),
            },
          });
        },
      );
    }
  });
}

if (!isMainThread && parentPort && (workerData as WorkerOptions | undefined)?.url) {
  runWorker(parentPort, workerData as WorkerOptions);
}
