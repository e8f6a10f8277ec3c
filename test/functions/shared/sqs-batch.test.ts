/** The shared half of SQS-fed handlers: the backoff a failed message waits before its next attempt. */
import { describe, expect, it } from 'vitest';
import { retryDelaySeconds } from '../../../functions/shared/sqs-batch.js';

describe('retry delay', () => {
  it('waits 20 s after the first receive, doubling with each, at most 15 minutes: ten receives span about an hour', () => {
    // Act
    const delays = Array.from({ length: 10 }, (_, i) => retryDelaySeconds(i + 1));
    // Assess
    expect(delays).toEqual([20, 40, 80, 160, 320, 640, 900, 900, 900, 900]);
    const beforeTenth = delays.slice(0, 9).reduce((a, b) => a + b, 0);
    expect(beforeTenth / 60).toBeGreaterThan(45);
    expect(beforeTenth / 60).toBeLessThan(90);
  });

  it('takes a missing or unreadable receive count as the first', () => {
    // Assess
    expect([Number.NaN, 0, -3, 1.5].map(retryDelaySeconds)).toEqual([20, 20, 20, 20]);
  });
});
