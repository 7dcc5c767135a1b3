import pino from 'pino';

export type Logger = pino.Logger;

/**
 * One structured JSON logger per process, created in main.ts and passed down. Stdout by default;
 * CLIs whose stdout carries a result log to file descriptor 2 instead.
 */
export function createLogger(level: string, fd: 1 | 2 = 1): Logger {
  const options = { level, base: { service: 'music-stats' } };
  return fd === 1 ? pino(options) : pino(options, pino.destination(2));
}
