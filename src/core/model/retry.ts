/** When and how long to wait before retrying a failed model call. */
import { ModelError } from './types';

export interface RetryPolicy {
  /** Retries after the first attempt (0 = never retry). */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * The delay before retry number `attempt` (1-based), or undefined when the error must not be
 * retried. Exponential backoff with "equal jitter" (half fixed, half random); a server's Retry-After wins when it is longer.
 */
export function retryDelayMs(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (!(error instanceof ModelError) || !error.transient || attempt > policy.maxRetries) return undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const backoff = ceiling / 2 + (random() * ceiling) / 2;
  if (error.retryAfterMs === undefined) return Math.round(backoff);
  return Math.round(Math.max(backoff, Math.min(error.retryAfterMs, policy.maxDelayMs)));
}
