import type { Logger } from '../logger';

export type Stoppable = { name: string; stop: () => Promise<void> };

/** Parts in start order; `stopAll` stops them in reverse, logging (not throwing) failures. */
export function stopStack(logger: Logger) {
  const parts: Stoppable[] = [];
  return {
    push(part: Stoppable): void {
      parts.push(part);
    },
    async stopAll(): Promise<void> {
      for (const part of parts.splice(0).reverse()) {
        try {
          await part.stop();
        } catch (err) {
          logger.warn({ err, part: part.name }, 'stop failed');
        }
      }
    },
  };
}

export type StopStack = ReturnType<typeof stopStack>;
