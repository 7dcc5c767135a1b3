/**
 * The service (`src/main.ts`) as a child process of a benchmark: free ports, a temp (or given)
 * DATA_DIR, poll `/health` until it answers, CPU of the service and of its own children
 * (FerretDB), and a stop that always ends with no process left behind:
 *
 * - `stop()`: SIGTERM, then SIGKILL after `graceMs`; afterwards every descendant that is still
 *   alive (FerretDB exits when its stdin closes, but a SIGKILLed service cannot wait for it) is
 *   SIGKILLed too.
 * - The benchmark process's own exit, SIGINT, SIGTERM or uncaught error kills the child and its
 *   descendants synchronously. Should the benchmark die without running any of that (SIGKILL, a
 *   wrapper such as `npx` that does not pass `timeout`'s signal on), the service sees its stdin
 *   pipe close and stops itself (exitWithParent.cjs): an interrupted run leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export type SpawnedService = {
  url: string;
  /** Connection string of the service's embedded event store (when it runs one). */
  esdb: string;
  child: ChildProcess;
  pid: number;
  dataDir: string;
  /** Pids of the service's descendants (FerretDB), read from /proc. */
  descendants(): number[];
  stop(): Promise<void>;
};

export type SpawnServiceOptions = {
  /** Extra environment (wins over the defaults below). */
  env?: Record<string, string>;
  /** Node flags before the entry point, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** DATA_DIR; a fresh temp directory (removed on stop) when absent. */
  dataDir?: string;
  /** Prefix of the temp DATA_DIR. */
  name?: string;
  startTimeoutMs?: number;
  /** Time SIGTERM gets before SIGKILL. */
  graceMs?: number;
  /** Sees each line the service writes (stdout and stderr); they still reach ours. */
  onOutput?: (line: string) => void;
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Children of `pid` (all its threads), recursively, from /proc (Linux; empty elsewhere). */
export function descendantPids(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number) => {
    let tids: string[];
    try {
      tids = fs.readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      let children = '';
      try {
        children = fs.readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const c of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
        out.push(c);
        visit(c);
      }
    }
  };
  visit(pid);
  return out;
}

/** utime + stime of a process in ms, all of its threads (Linux /proc); NaN when gone. */
export function processCpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // USER_HZ is 100 on Linux.
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const killQuietly = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
};

const live = new Set<SpawnedService>();
let hooked = false;

/** Last-resort cleanup: synchronous, so it also runs from 'exit'. */
function killAllNow(): void {
  for (const s of live) {
    const pids = [s.pid, ...s.descendants()];
    for (const p of pids) killQuietly(p, 'SIGKILL');
  }
  live.clear();
}

function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllNow();
      process.exit(130);
    });
  }
  process.once('uncaughtException', (err) => {
    killAllNow();
    console.error(err);
    process.exit(1);
  });
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildService, serviceNodeArgs } = require('./serviceBundle.cjs') as {
  buildService: () => string;
  serviceNodeArgs: string[];
};

let bundle: string | undefined;
/** The service bundled once per process, as `npm start` runs it (scripts/lib/serviceBundle.cjs). */
const serviceBundle = (): string => (bundle ??= buildService());

/** Starts the service (`src/main.ts`, bundled) and resolves once `/health` answers 200. */
export async function spawnService(options: SpawnServiceOptions = {}): Promise<SpawnedService> {
  hookProcessExit();
  const [port, esPort] = [await freePort(), await freePort()];
  const ownDir = options.dataDir === undefined;
  const dataDir =
    options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `${options.name ?? 'bench'}-`));
  const child = spawn(
    process.execPath,
    [
      ...serviceNodeArgs,
      // After the service's own: a benchmark's `--service-node-args` win (the last flag does).
      ...(options.nodeArgs ?? []),
      '--require',
      path.join(__dirname, 'exitWithParent.cjs'),
      '--enable-source-maps',
      serviceBundle(),
    ],
    {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        EVENTSTORE_PORT: String(esPort),
        DATA_DIR: dataDir,
        RATE_LIMIT_PER_MINUTE: '100000000',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        JOBS_ENABLED: 'false',
        ...options.env,
      },
      // stdin: a pipe whose closing tells the service we are gone (exitWithParent.cjs).
      stdio: ['pipe', options.onOutput ? 'pipe' : 'inherit', options.onOutput ? 'pipe' : 'inherit'],
    },
  );
  if (options.onOutput) {
    const watch = (from: NodeJS.ReadableStream, to: NodeJS.WritableStream) => {
      let rest = '';
      from.on('data', (d: Buffer) => {
        to.write(d);
        const lines = (rest + d.toString()).split('\n');
        rest = lines.pop()!;
        for (const line of lines) options.onOutput!(line);
      });
    };
    watch(child.stdout!, process.stdout);
    watch(child.stderr!, process.stderr);
  }
  const pid = child.pid!;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let known: number[] = [];
  let stopping: Promise<void> | undefined;
  const service: SpawnedService = {
    url: `http://127.0.0.1:${port}`,
    esdb: `esdb://127.0.0.1:${esPort}?tls=false`,
    child,
    pid,
    dataDir,
    descendants() {
      const now = descendantPids(pid);
      if (now.length > 0) known = now;
      return now.length > 0 ? now : known.filter(alive);
    },
    stop() {
      stopping ??= (async () => {
        const kids = service.descendants();
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), options.graceMs ?? 20_000);
          await exited;
          clearTimeout(timer);
        }
        // FerretDB exits when the service's pipe to it closes; give it a moment, then insist.
        for (let i = 0; i < 50 && kids.some(alive); i++)
          await new Promise((r) => setTimeout(r, 100));
        for (const k of kids) if (alive(k)) killQuietly(k, 'SIGKILL');
        live.delete(service);
        if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
  live.add(service);
  const deadline = Date.now() + (options.startTimeoutMs ?? 180_000);
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`service exited during start-up (${child.exitCode ?? child.signalCode})`);
      }
      try {
        if ((await fetch(`${service.url}/health`)).ok) break;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error('service did not answer /health in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await service.stop();
    throw err;
  }
  service.descendants();
  return service;
}
