/** The render pool's bookkeeping, with fake threads: spreading work, and surviving a dead thread. */
import { describe, expect, it, vi } from 'vitest';
import type { SheetData } from '../../../functions/pdf/data.js';
import { RenderError } from '../../../functions/shared/errors.js';

const threads = vi.hoisted(() => [] as Array<{ sent: string[] }>);
/** Per thread (by start order): ms to render a sheet, or 'no-start' for a thread that dies starting. */
const behaviour = vi.hoisted(() => [] as Array<number | 'no-start'>);
vi.mock('node:worker_threads', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class FakeWorker extends Emitter {
    sent: string[] = [];
    delay: number;
    constructor() {
      super();
      const mode = behaviour[threads.length] ?? 5;
      threads.push(this);
      this.delay = typeof mode === 'number' ? mode : 5;
      if (mode === 'no-start') setTimeout(() => { this.emit('error', new Error('font file missing')); this.emit('exit', 1); }, 1);
      else setTimeout(() => this.emit('message', { ready: true }), 1);
    }
    postMessage(message: { id: number; data: { sku: string } }) {
      this.sent.push(message.data.sku);
      // A sheet that kills its thread (as an out-of-memory crash would), or a rendered one.
      if (message.data.sku === 'CRASH') setTimeout(() => this.emit('exit', 134), 5);
      else setTimeout(() => this.emit('message', { id: message.id, bytes: new TextEncoder().encode(`%PDF ${message.data.sku}`).buffer }), this.delay);
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
    behaviour.length = 0;
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
    behaviour.length = 0;
    const pool = createSheetPool(2);
    // Act: A and CRASH go to thread 0 (two sheets in flight per thread), B and C to thread 1; E
    // is queued behind them
    const results = await Promise.allSettled(['A', 'CRASH', 'B', 'C', 'E'].map((sku) => pool.render(sheet(sku), 'Store', undefined)));
    const after = await pool.render(sheet('F'), 'Store', undefined);
    // Assess: A was answered before its thread died, and E took A's place on it; the sheets in
    // flight on the dead thread fail (CRASH, E), thread 1's do not
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'rejected']);
    const crash = (results[1] as PromiseRejectedResult).reason as RenderError;
    expect(crash).toBeInstanceOf(RenderError);
    expect(crash).toMatchObject({ retryable: true, message: expect.stringContaining('exited (code 134)') });
    expect(after.toString()).toBe('%PDF F');
    expect(threads).toHaveLength(3);
    await pool.close();
  });

  it('keeps sheets queued until a thread is free, so a slow thread takes fewer', async () => {
    // Prepare: thread 0 needs 40 ms a sheet, thread 1 needs 2 ms
    threads.length = 0;
    behaviour.splice(0, behaviour.length, 40, 2);
    const pool = createSheetPool(2);
    const skus = Array.from({ length: 24 }, (_, i) => `S${i}`);
    // Act
    const pdfs = await Promise.all(skus.map((sku) => pool.render(sheet(sku), 'Store', undefined)));
    // Assess: every sheet rendered once, and the fast thread did most of them
    expect(pdfs.map((b) => b.toString())).toEqual(skus.map((sku) => `%PDF ${sku}`));
    expect([...threads[0]!.sent, ...threads[1]!.sent].sort()).toEqual([...skus].sort());
    expect(threads[1]!.sent.length).toBeGreaterThan(3 * threads[0]!.sent.length);
    await pool.close();
  });

  it('fails queued sheets as retryable when a thread cannot start, and starts a fresh one on the next call', async () => {
    // Prepare: the first thread dies while starting
    threads.length = 0;
    behaviour.splice(0, behaviour.length, 'no-start');
    const pool = createSheetPool(1);
    // Act
    const failed = await pool.render(sheet('A'), 'Store', undefined).catch((error: unknown) => error);
    const later = await pool.render(sheet('B'), 'Store', undefined);
    // Assess
    expect(failed).toBeInstanceOf(RenderError);
    expect(failed).toMatchObject({ retryable: true, message: expect.stringContaining('did not start: font file missing') });
    expect(later.toString()).toBe('%PDF B');
    expect(threads).toHaveLength(2);
    await pool.close();
  });
});
