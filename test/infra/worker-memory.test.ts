/** The rebuild workers' memory follows the store they hold, within what a Lambda function can have. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/shared/errors.js';
import { heapOptions, LAMBDA_MAX_MB, WORKER_MIN_MB, workerMemory } from '../../infra/lib/worker-memory.js';

describe('rebuild worker memory', () => {
  it('gives small and mid-size stores the floor, in 64 MB steps', () => {
    // Act
    const sizes = [0, 10_000, 100_000].map((products) => workerMemory({ products, markets: 2 }).memoryMb);
    // Assess
    expect(sizes).toEqual([WORKER_MIN_MB, WORKER_MIN_MB, WORKER_MIN_MB]);
  });

  it('grows with the pages a store has: products times markets', () => {
    // Act
    const [one, two, larger] = [workerMemory({ products: 250_000, markets: 1 }), workerMemory({ products: 250_000, markets: 2 }), workerMemory({ products: 500_000, markets: 2 })];
    // Assess
    expect(two.memoryMb).toBeGreaterThan(WORKER_MIN_MB);
    expect(two.memoryMb).toBeGreaterThan(one.memoryMb);
    expect(larger.memoryMb).toBeGreaterThan(two.memoryMb);
    expect(larger.memoryMb % 64).toBe(0);
    // What it holds stays well inside the function, with room for the runtime and a run's rendering.
    expect(larger.heldMb * 1.5).toBeLessThan(larger.memoryMb);
  });

  it('refuses a store whose live site would not fit in a Lambda function, naming the setting and the sizes', () => {
    // Act
    const act = () => workerMemory({ products: 1_000_000, markets: 2 });
    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(/catalogProducts: .*1000000 products in 2 market\(s\).*at most 10240 MB/);
    expect(workerMemory({ products: 1_000_000, markets: 1 }).memoryMb).toBeLessThanOrEqual(LAMBDA_MAX_MB);
  });

  it('refuses a count that is not a whole number of products', () => {
    // Assess
    expect(() => workerMemory({ products: -1, markets: 1 })).toThrow(/expected a whole number of products, got -1/);
  });

  it('lets the heap take the function\'s memory but the runtime\'s share (V8 would stop at about half of it)', () => {
    // Act
    const [small, large] = [heapOptions(2048), heapOptions(workerMemory({ products: 500_000, markets: 2 }).memoryMb)];
    // Assess
    expect(small).toBe('--max-old-space-size=1536');
    expect(large).toBe('--max-old-space-size=6208');
  });
});
