import pino from 'pino';

export type Logger = pino.Logger;

/** One structured JSON logger per process, created in main.ts and passed down. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'music-stats' } });
}
