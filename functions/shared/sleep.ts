/** A promise that resolves after `ms` milliseconds (waits between polls, never a retry loop: retries are the SDK's). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
