import type { EventStore } from '../../eventstore/eventStore';
import { appendChunks, type SyntheticEvent } from './syntheticLog';

/** Appends a synthetic log in chunks: one multi-event append per stream, `concurrency` at a time. */
export async function loadLog(
  store: EventStore,
  log: Iterable<SyntheticEvent>,
  options: { chunkSize?: number; concurrency?: number; onChunk?: (events: number) => void } = {},
): Promise<number> {
  let total = 0;
  const concurrency = options.concurrency ?? 16;
  for (const chunk of appendChunks(log, options.chunkSize ?? 5000)) {
    const streams = [...chunk];
    let next = 0;
    const worker = async () => {
      while (next < streams.length) {
        const [stream, events] = streams[next++]!;
        const outcome = await store.append(stream, events, 'any');
        if (!outcome.ok) throw new Error(`append to ${stream} failed: ${outcome.reason}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, streams.length) }, worker));
    const n = streams.reduce((s, [, e]) => s + e.length, 0);
    total += n;
    options.onChunk?.(n);
  }
  return total;
}
