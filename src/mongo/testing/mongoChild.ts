import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ChildMongo {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  kind: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const ROOT = path.resolve(__dirname, '../../..');

/** Runs `npm run mongo` (src/mongo/cli.ts) in its own process; resolves once it printed its URL. */
export function spawnMongo(dataDir: string, extraArgs: string[] = []): Promise<ChildMongo> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/mongo/cli.ts', '--port', '0', '--data', dataDir, ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = `${stderr}${d.toString()}`.slice(-4096);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onExit = (code: number | null): void =>
      reject(new Error(`npm run mongo exited early with ${code}:\n${stderr}`));
    child.once('exit', onExit);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      const info = JSON.parse(out.slice(0, nl)) as { port: number; url: string; kind: string };
      child.off('exit', onExit);
      resolve({
        child,
        pid: child.pid!,
        ...info,
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
