/** Retry with exponential backoff and full jitter, for errors flagged `retryable`. */
import { RestaticError } from './errors.js';

export interface RetryOptions {
  /** Attempts after the first. @default 3 */
  retries?: number;
  /** First backoff in ms; doubles each attempt. @default 100 */
  baseMs?: number;
  /** Cap for one backoff in ms. @default 5000 */
  maxMs?: number;
  /** Called before each retry (logging). */
  onRetry?: (error: unknown, attempt: number) => void;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `fn`; retries when it throws a RestaticError with `retryable: true`. */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 3;
  const base = options.baseMs ?? 100;
  const max = options.maxMs ?? 5000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= retries || !(error instanceof RestaticError && error.retryable)) throw error;
      options.onRetry?.(error, attempt + 1);
      await sleep(Math.random() * Math.min(max, base * 2 ** attempt));
    }
  }
}
