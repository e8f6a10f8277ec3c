/** How a local host notices its thread died (the host then fails the work in flight and respawns). */
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { RestaticError } from '../../functions/shared/errors.js';
import { onThreadDeath } from '../../local/thread-host.js';

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
