/** Progress off a terminal (CI, pipes): a line per quarter with the count and the rate. */
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../cli/progress.js';

function pipe() {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (chunk: string) => { lines.push(...chunk.split('\n').filter(Boolean)); return true; } } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

describe('progress without a terminal', () => {
  it('prints a line at every quarter with the count and the rate', () => {
    // Prepare
    const { stream, lines } = pipe();
    const progress = createProgress(stream);
    // Act
    progress.start('build', 100);
    for (let i = 0; i < 10; i++) progress.advance(10);
    progress.stop();
    // Assess
    expect(lines.map((l) => l.replace(/\([\d,]+\/s\)/, '(N/s)'))).toEqual(['build: 10/100 (N/s)', 'build: 30/100 (N/s)', 'build: 50/100 (N/s)', 'build: 80/100 (N/s)', 'build: 100/100 (N/s)']);
  });

  it('ends an unknown total with the count and the rate', () => {
    // Prepare
    const { stream, lines } = pipe();
    const progress = createProgress(stream);
    // Act
    progress.start('seed', 0);
    progress.advance(250);
    progress.stop();
    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^seed: 250 \([\d,]+\/s\)$/);
  });
});
