import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';

export interface ChildEventStore {
  child: ChildProcess;
  pid: number;
  port: number;
  connectionString: string;
  /** Milliseconds from spawn to the "listening" line (includes Node + tsx start). */
  startMs: number;
  /** Milliseconds the server itself reported for log recovery / index load. */
  recoveryMs: number | null;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'src/embedded-eventstore/cli.ts');
let bundled: string | null = null;

/**
 * The CLI bundled to plain JavaScript once per process (esbuild, dependencies left external), so a
 * child starts in a fraction of the time `tsx` needs to compile the sources on every spawn.
 */
function cliBundle(): string {
  if (bundled) return bundled;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-es-cli-'));
  const outfile = path.join(dir, 'cli.js');
  buildSync({
    entryPoints: [CLI],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  bundled = outfile;
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return outfile;
}

/**
 * Runs the embedded server CLI in its own process (as `npm run eventstore` does, but bundled) and resolves once
 * it printed its port. stderr (JSON log lines) is scanned for the recovery time.
 */
export function spawnEventStore(
  dataDir: string,
  extraArgs: string[] = [],
  /** Options for node itself, e.g. `['--cpu-prof', '--cpu-prof-dir=prof']`. */
  nodeArgs: string[] = [],
): Promise<ChildEventStore> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [...nodeArgs, cliBundle(), '--port', '0', '--data', dataDir, ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: ROOT,
      // the bundle lives in a temp dir: resolve its external packages from the project
      env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
    },
  );
  let recoveryMs: number | null = null;
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const line of stderr.split('\n')) {
      if (line.includes('"event log recovered"') || line.includes('"index loaded"')) {
        try {
          const o = JSON.parse(line) as { ms?: number };
          if (typeof o.ms === 'number') recoveryMs = (recoveryMs ?? 0) + o.ms;
        } catch {
          /* partial line */
        }
      }
    }
    const nl = stderr.lastIndexOf('\n');
    if (nl >= 0) stderr = stderr.slice(nl + 1);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onExit = (code: number | null): void =>
      reject(new Error(`event store exited early with ${code}`));
    child.once('exit', onExit);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      const info = JSON.parse(out.slice(0, nl)) as { port: number; connectionString: string };
      child.off('exit', onExit);
      resolve({
        child,
        pid: child.pid!,
        port: info.port,
        connectionString: info.connectionString,
        startMs: Date.now() - started,
        get recoveryMs() {
          return recoveryMs;
        },
        stop(signal: NodeJS.Signals = 'SIGTERM') {
          return new Promise((res) => {
            if (child.exitCode !== null || child.signalCode !== null) return res(child.exitCode);
            child.once('exit', (code) => res(code));
            child.kill(signal);
          });
        },
      });
    });
  });
}

/** CPU time (user + system) of a process in milliseconds, from /proc (Linux). */
export function processCpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

export function processRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}
