import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
/** Addresses a deployment gives; the commands must work without them against `npm start`. */
const DEPLOYMENT_VARS = ['EVENTSTORE_URL', 'MONGODB_URL', 'SERVICE_URL', 'AUTH_JWT_SECRET'];

export type CliResult = { code: number | null; stdout: string; stderr: string };

/**
 * Runs an npm script's entry point (`scripts/<name>.ts`, through tsx as npm does) with only the
 * environment given (plus PATH/HOME), stdout and stderr captured (not a terminal).
 */
export function runCli(
  script: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<CliResult> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !DEPLOYMENT_VARS.includes(k) && !k.startsWith('TEST_'),
    ),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...base, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
