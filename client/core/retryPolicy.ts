/** What to do with a batch after the server (or the network) answered `status` (0 = no answer). */
export type Outcome = 'sent' | 'retry' | 'split' | 'drop';

/**
 * 2xx: sent. 413: split the batch. No answer, 408, 429 and 5xx: retry later (the server dedups by
 * event id, so resending is safe). Any other 4xx (400 = all rejected): retrying cannot help, drop.
 */
export function classify(status: number): Outcome {
  if (status >= 200 && status < 300) return 'sent';
  if (status === 413) return 'split';
  if (status === 0 || status === 408 || status === 429 || status >= 500) return 'retry';
  return 'drop';
}

/**
 * Exponential backoff with "equal jitter": attempt n waits between half and all of
 * `min(maxMs, minMs * 2^(n-1))`, so clients that failed together do not retry in lockstep.
 */
export function backoffDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const cap = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or invalid. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (!Number.isNaN(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
