/** Progress off a terminal (CI, pipes): a line per quarter with the count and the rate. */
import { describe, expect, it, vi } from 'vitest';
import { createProgress } from '../../cli/progress.js';

function pipe() {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (chunk: string) => { lines.push(...chunk.split('\n').filter(Boolean)); return true; } } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

describe('progress without a terminal', () => {
  it('gives the rate once it means something (after half a second), not from the first instant', () => {
    // Prepare
    const { stream, lines } = pipe();
    const progress = createProgress(stream);
    const now = vi.spyOn(Date, 'now');
    // Act
    now.mockReturnValue(1_000);
    progress.start('build', 1000);
    progress.advance(400);
    now.mockReturnValue(3_000);
    progress.advance(600);
    now.mockRestore();
    // Assess
    expect(lines).toEqual(['build: 400/1000', 'build: 1000/1000 (500/s)']);
  });

  it('prints a line at every quarter with the count and the rate', () => {
    // Prepare
    const { stream, lines } = pipe();
    const progress = createProgress(stream);
    // Act
    progress.start('build', 100);
    for (let i = 0; i < 10; i++) progress.advance(10);
    progress.stop();
    // Assess
    expect(lines).toEqual(['build: 10/100', 'build: 30/100', 'build: 50/100', 'build: 80/100', 'build: 100/100']);
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
    expect(lines[0]).toBe('seed: 250');
  });
});
