/**
 * The one retry policy for AWS calls: the SDK's own. Throttling and 5xx are retried inside the
 * client with backoff (adaptive mode also rate-limits the client under throttling); cores do not
 * wrap SDK calls in retries of their own, so attempts never multiply. What still fails after this
 * fails the run, and the queue delivers the message again.
 */
export const SDK_RETRY = { maxAttempts: 5, retryMode: 'adaptive' } as const;
