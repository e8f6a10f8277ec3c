/** The render pool's bookkeeping, with fake threads: spreading work, and surviving a dead thread. */
import { describe, expect, it, vi } from 'vitest';
import type { SheetData } from '../../../functions/pdf/data.js';
import { RenderError } from '../../../functions/shared/errors.js';

const threads = vi.hoisted(() => [] as Array<{ sent: string[] }>);
vi.mock('node:worker_threads', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class FakeWorker extends Emitter {
    sent: string[] = [];
    constructor() {
      super();
      threads.push(this);
      setTimeout(() => this.emit('message', { ready: true }), 1);
    }
    postMessage(message: { id: number; data: { sku: string } }) {
      this.sent.push(message.data.sku);
      // A sheet that kills its thread (as an out-of-memory crash would), or a rendered one.
      if (message.data.sku === 'CRASH') setTimeout(() => this.emit('exit', 134), 5);
      else setTimeout(() => this.emit('message', { id: message.id, bytes: new TextEncoder().encode(`%PDF ${message.data.sku}`).buffer }), 5);
    }
    async terminate() { this.emit('exit', 0); return 0; }
  }
  return { Worker: FakeWorker };
});

const { createSheetPool } = await import('../../../functions/pdf/pool.js');
const sheet = (sku: string) => ({ sku }) as unknown as SheetData;

describe('sheet render pool', () => {
  it('spreads calls made in one tick over the threads', async () => {
    // Prepare
    threads.length = 0;
    const pool = createSheetPool(2);
    // Act
    const pdfs = await Promise.all(['A', 'B', 'C', 'D'].map((sku) => pool.render(sheet(sku), 'Store', undefined)));
    // Assess
    expect(pdfs.map((b) => b.toString())).toEqual(['%PDF A', '%PDF B', '%PDF C', '%PDF D']);
    expect(threads.map((t) => t.sent.length)).toEqual([2, 2]);
    await pool.close();
  });

  it('fails only the dead thread\'s sheets, as retryable, and replaces the thread', async () => {
    // Prepare
    threads.length = 0;
    const pool = createSheetPool(2);
    // Act: A and B land on thread 0, CRASH and C on thread 1
    const results = await Promise.allSettled(['A', 'CRASH', 'B', 'C'].map((sku) => pool.render(sheet(sku), 'Store', undefined)));
    const after = await pool.render(sheet('E'), 'Store', undefined);
    // Assess
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    const crash = (results[1] as PromiseRejectedResult).reason as RenderError;
    expect(crash).toBeInstanceOf(RenderError);
    expect(crash).toMatchObject({ retryable: true, message: expect.stringContaining('exited (code 134)') });
    expect(after.toString()).toBe('%PDF E');
    expect(threads).toHaveLength(3);
    await pool.close();
  });
});
