/** Local thread hosts: how one notices its thread died (it then fails the work in flight and respawns), and background priority. */
import { EventEmitter } from 'node:events';
import { getPriority } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { RestaticError } from '../../functions/shared/errors.js';
import { BACKGROUND_NICE, ThreadHost, onThreadDeath } from '../../local/thread-host.js';

describe('onThreadDeath', () => {
  it('reports an exit as a retryable error naming the thread, its exit code and what it threw', () => {
    // Prepare
    const thread = new EventEmitter();
    const deaths: RestaticError[] = [];
    onThreadDeath(thread as unknown as Worker, 'PDF', (error) => deaths.push(error));
    // Act
    thread.emit('error', new Error('heap out of memory'));
    thread.emit('exit', 1);
    // Assess
    expect(deaths).toHaveLength(1);
    expect(deaths[0]).toBeInstanceOf(RestaticError);
    expect(deaths[0]).toMatchObject({ retryable: true, message: 'PDF thread exited (code 1): heap out of memory' });
  });
});

describe('background threads', () => {
  it.runIf(process.platform === 'linux' && getPriority() < BACKGROUND_NICE)('run at a lower CPU priority than the thread that started them, and normal threads do not', async () => {
    // Prepare: one background host and one normal host of the same module
    const spec = { module: '../test/fixtures/priority-thread.ts', factory: 'priorityThread', config: {} };
    const background = new ThreadHost({ ...spec, name: 'background', background: true });
    const normal = new ThreadHost({ ...spec, name: 'normal' });
    try {
      // Act
      const [low, same] = await Promise.all([background.call<number>('priority'), normal.call<number>('priority')]);
      // Assess: nice values are per thread on Linux; this (the test's) thread keeps its own
      expect(low).toBe(BACKGROUND_NICE);
      expect(same).toBe(getPriority());
    } finally {
      await Promise.all([background.close(), normal.close()]);
    }
  });
});
