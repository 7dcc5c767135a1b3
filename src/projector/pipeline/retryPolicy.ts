/**
 * The batch writer's retry policy: writes are idempotent (insert ids from log positions, guarded
 * upserts), so a failed write is sent again, `attempts` times in all, with exponential backoff
 * (`baseMs · 2^attempt`, at most `maxMs`). The last error is thrown: the projector then stops
 * and reports itself failed.
 */
export type RetryPolicy = { attempts: number; baseMs: number; maxMs: number };

export const defaultRetryPolicy: RetryPolicy = { attempts: 5, baseMs: 100, maxMs: 5000 };

export const backoffMs = (policy: RetryPolicy, attempt: number): number =>
  Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);

export async function withRetry<T>(
  fn: () => Promise<T>,
  policy: RetryPolicy,
  deps: {
    sleep: (ms: number) => Promise<void>;
    onRetry?: (err: unknown, attempt: number) => void;
  },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= policy.attempts) throw err;
      deps.onRetry?.(err, attempt);
      await deps.sleep(backoffMs(policy, attempt));
    }
  }
}
