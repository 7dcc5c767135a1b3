import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import { findUp } from '../service/projectRoot';
import { acquireDirLock } from './dirLock';

/** FerretDB version embedded by tools/ferretdb (keep in step with its go.mod). */
export const FERRETDB_VERSION = '1.24.2';

const SOURCE_FILES = ['go.mod', 'go.sum', 'main.go'] as const;
const BUILD_TIMEOUT_MS = 15 * 60_000;

/** The repository root: the nearest ancestor holding tools/ferretdb/go.mod. */
export const repoRoot = (from: string = __dirname): string =>
  findUp(join('tools', 'ferretdb', 'go.mod'), from);

export function defaultFerretdbCacheDir(): string {
  return join(repoRoot(), '.cache', 'ferretdb');
}

/** `go` from PATH, else the usual install location; undefined when Go is absent. */
export function findGo(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = (env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'go'));
  candidates.push('/usr/local/go/bin/go');
  return candidates.find((file) => existsSync(file));
}

/** Cache file name keyed by version, platform and a hash of the Go sources. */
export function ferretdbBinaryName(sourceDir: string): string {
  const hash = createHash('sha256');
  for (const file of SOURCE_FILES) {
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(sourceDir, file)))
      .update('\0');
  }
  const key = hash.digest('hex').slice(0, 12);
  return `ferretdb-${FERRETDB_VERSION}-${process.platform}-${process.arch}-${key}`;
}

export interface EnsureBinaryOptions {
  /** Directory with main.go/go.mod/go.sum; defaults to `<repo>/tools/ferretdb`. */
  sourceDir?: string;
  /** Path to the `go` binary; defaults to {@link findGo}. */
  go?: string;
  onBuildStart?: (binary: string) => void;
}

/**
 * Returns the path of the cached FerretDB binary, building it with `go build` first if needed.
 * Concurrent callers (several processes) serialise on a lock directory; the build writes to a
 * temporary file and renames it into place, so a binary at the cache path is always complete.
 */
export async function ensureFerretdbBinary(
  cacheDir: string = defaultFerretdbCacheDir(),
  options: EnsureBinaryOptions = {},
): Promise<string> {
  const sourceDir = options.sourceDir ?? join(repoRoot(), 'tools', 'ferretdb');
  const binary = join(cacheDir, ferretdbBinaryName(sourceDir));
  if (existsSync(binary)) return binary;

  const go = options.go ?? findGo();
  if (go === undefined)
    throw new Error('Go is not installed (not on PATH nor at /usr/local/go/bin/go)');

  await mkdir(cacheDir, { recursive: true });
  const release = await acquireDirLock(`${binary}.lock`, {
    staleAfterMs: BUILD_TIMEOUT_MS + 60_000,
  });
  try {
    if (existsSync(binary)) return binary;
    options.onBuildStart?.(binary);
    const tmp = `${binary}.tmp-${process.pid}`;
    await goBuild(go, sourceDir, tmp);
    await rename(tmp, binary);
    return binary;
  } finally {
    await release();
  }
}

async function goBuild(go: string, sourceDir: string, output: string): Promise<void> {
  // CGO is off: FerretDB's SQLite driver is pure Go, and this way no C toolchain is needed.
  const env = {
    ...process.env,
    CGO_ENABLED: '0',
    PATH: `${dirname(go)}${delimiter}${process.env.PATH ?? ''}`,
  };
  const child = spawn(go, ['build', '-trimpath', '-buildvcs=false', '-o', output, '.'], {
    cwd: sourceDir,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8192);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
  try {
    const [code, signal] = await onceExit(child);
    if (code !== 0) {
      await rm(output, { force: true });
      throw new Error(
        `go build of FerretDB failed (${signal ?? `exit ${code}`}):\n${stderr.trim()}`,
      );
    }
  } finally {
    clearTimeout(timer);
  }
}

export interface StartFerretdbOptions {
  /** Directory for FerretDB's SQLite files (created if missing). */
  dataDir: string;
  /** TCP port; 0 or absent picks a free port. */
  port?: number;
  host?: string;
  /** Prebuilt binary; defaults to {@link ensureFerretdbBinary} with the default cache. */
  binary?: string;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /**
   * FerretDB's own log level. Default `error`: at `warn` it logs every failed command with its full
   * wire dump (the driver's `endSessions` on each client close is one) and every dropped connection.
   */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Receives FerretDB's stderr lines. */
  onLog?: (line: string) => void;
}

export interface RunningFerretdb {
  url: string;
  pid: number;
  /** SIGTERM, wait for exit, SIGKILL after `stopTimeoutMs`. Safe to call more than once. */
  stop(): Promise<void>;
}

/** Spawns FerretDB and resolves once it answers `ping` through the official driver. */
export async function startFerretdb(options: StartFerretdbOptions): Promise<RunningFerretdb> {
  const binary = options.binary ?? (await ensureFerretdbBinary());
  const host = options.host ?? '127.0.0.1';
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  await mkdir(options.dataDir, { recursive: true });

  // stdin stays an open pipe: main.go exits when it closes, so FerretDB dies with us even on SIGKILL.
  // detached: its own process group, so a Ctrl-C in the terminal reaches only us, and our shutdown
  // (flushing checkpoints to it) runs before we stop it.
  const child = spawn(
    binary,
    [
      ...['--listen', `${host}:${options.port ?? 0}`, '--data', options.dataDir],
      ...['--log-level', options.logLevel ?? 'error', '--exit-on-stdin-close'],
    ],
    { stdio: ['pipe', 'pipe', 'pipe'], detached: true },
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const exited = onceExit(child).finally(() => process.off('exit', killOnExit));

  let stderrTail = '';
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderrTail = `${stderrTail}${line}\n`.slice(-4096);
    options.onLog?.(line);
  });

  exited.catch(() => undefined);
  const died = exited.then(([code, signal]): never => {
    throw new Error(
      `FerretDB exited before ready (${signal ?? `exit ${code}`}):\n${stderrTail.trim()}`,
    );
  });
  const stop = memoize(() => stopChild(child, exited, options.stopTimeoutMs ?? 10_000));
  try {
    const deadline = Date.now() + startTimeoutMs;
    const url = await withTimeout(
      Promise.race([readReadyUrl(child), died]),
      startTimeoutMs,
      'FerretDB did not report ready',
    );
    await Promise.race([pingUntilReady(url, deadline), died]);
    return { url, pid: child.pid!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function readReadyUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      try {
        const ready = JSON.parse(line) as { ready?: boolean; uri?: string };
        if (ready.ready !== true || typeof ready.uri !== 'string')
          throw new Error(`unexpected: ${line}`);
        resolve(ready.uri);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

async function pingUntilReady(url: string, deadline: number): Promise<void> {
  for (;;) {
    const client = new MongoClient(url, {
      serverSelectionTimeoutMS: 2_000,
      directConnection: true,
    });
    try {
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`FerretDB at ${url} did not answer ping`, { cause: error });
      await sleep(100);
    } finally {
      await client.close();
    }
  }
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<[number | null, NodeJS.Signals | null]>,
  timeoutMs: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

function onceExit(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve([code, signal]));
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function memoize<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= fn());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
