/**
 * The local durable queue: change envelopes appended (and fsync'd) to a journal file before the
 * receiver answers, consumed from a persisted offset. A crash at any point loses nothing: on start,
 * everything after the offset is processed again (the worker's version fence makes that safe).
 *
 * Appends are group-committed: sends that arrive while a write is in flight are written and
 * fsync'd together by the next one, off the event loop. A synchronous fsync per webhook had the
 * receiver's event loop waiting on the disk (≈ 1 s of every 11 under 200 webhooks/s, and the p99
 * followed the disk's worst fsync); each send still resolves only once its lines are on disk.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ChangeEnvelope } from '../functions/shared/changes/envelope.js';
import type { Queue } from '../functions/shared/ports.js';

export class JournalQueue<T = ChangeEnvelope> implements Queue<T> {
  readonly #file: string;
  readonly #offsetFile: string;
  #listener: (() => void) | undefined;

  constructor(file: string) {
    this.#file = file;
    this.#offsetFile = `${file}.committed-bytes`;
    mkdirSync(dirname(file), { recursive: true });
  }

  /** Resolves once the envelopes are durably in the journal; rejects if they could not be written. */
  send(messages: readonly T[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    const text = messages.map((m) => `${JSON.stringify(m)}\n`).join('');
    return new Promise((resolve, reject) => {
      this.#waiting.push({ text, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  readonly #waiting: Array<{ text: string; resolve: () => void; reject: (error: Error) => void }> = [];
  #writing = false;

  /** Writes waiting sends in batches, in the order they were sent, until none are left. */
  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#waiting.splice(0);
        try {
          const file = await open(this.#file, 'a');
          try {
            await file.appendFile(batch.map((b) => b.text).join(''));
            await file.sync();
          } finally {
            await file.close();
          }
        } catch (error) {
          for (const b of batch) b.reject(error as Error);
          continue;
        }
        for (const b of batch) b.resolve();
        this.#listener?.();
      }
    } finally {
      this.#writing = false;
    }
  }

  /** Called after every append (the local worker loop wakes up). */
  onAppend(listener: () => void): void {
    this.#listener = listener;
  }

  /** Whether anything was appended after the committed offset (two stats, no read: for polling). */
  hasPending(): boolean {
    try {
      return statSync(this.#file).size > this.#offset();
    } catch {
      return false;
    }
  }

  /**
   * Envelopes after the committed byte offset; `end` is the offset after the last complete line.
   * Reads only what was appended since (the journal grows; a drain must not re-read all of it).
   * `ends[i]` is the offset after `envelopes[i]`'s line, for a consumer that commits part of them.
   */
  pending(limit = Infinity): { envelopes: T[]; end: number; ends: number[] } {
    const offset = this.#offset();
    let size: number;
    try {
      size = statSync(this.#file).size;
    } catch {
      return { envelopes: [], end: offset, ends: [] };
    }
    if (size <= offset) return { envelopes: [], end: offset, ends: [] };
    // With a limit, a window of the file (a consumer of batches polls often; reading megabytes
    // per poll kept the main thread busy), doubled while it holds no complete line.
    let window = Number.isFinite(limit) ? Math.min(size - offset, 256 * 1024) : size - offset;
    let buffer: Buffer;
    let complete: number;
    for (;;) {
      buffer = Buffer.alloc(window);
      const fd = openSync(this.#file, 'r');
      try {
        readSync(fd, buffer, 0, buffer.length, offset);
      } finally {
        closeSync(fd);
      }
      // Only complete lines: a torn last line (crash mid-append) was never acknowledged.
      complete = buffer.lastIndexOf(0x0a) + 1;
      if (complete > 0 || window >= size - offset) break;
      window = Math.min(size - offset, window * 2);
    }
    const envelopes: T[] = [];
    const ends: number[] = [];
    let at = 0;
    while (at < complete && envelopes.length < limit) {
      const next = buffer.indexOf(0x0a, at) + 1;
      try {
        envelopes.push(JSON.parse(buffer.subarray(at, next - 1).toString('utf8')) as T);
        ends.push(offset + next);
      } catch {
        // unreadable line: never acknowledged to a sender, skip it
      }
      at = next;
    }
    return { envelopes, end: envelopes.length < limit ? offset + complete : ends[ends.length - 1]!, ends };
  }

  /** The last complete message in the journal (read from its tail), if any. */
  last(): T | undefined {
    let size: number;
    try {
      size = statSync(this.#file).size;
    } catch {
      return undefined;
    }
    const length = Math.min(size, 1 << 20);
    const buffer = Buffer.alloc(length);
    const fd = openSync(this.#file, 'r');
    try {
      readSync(fd, buffer, 0, length, size - length);
    } finally {
      closeSync(fd);
    }
    const lines = buffer.subarray(0, buffer.lastIndexOf(0x0a) + 1).toString('utf8').split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        if (lines[i]) return JSON.parse(lines[i]!) as T;
      } catch {
        // a torn or partial line: look further back
      }
    }
    return undefined;
  }

  /** Marks everything before byte `end` as processed. */
  commit(end: number): void {
    writeFileSync(this.#offsetFile, String(end));
  }

  #offset(): number {
    try {
      return Number(readFileSync(this.#offsetFile, 'utf8')) || 0;
    } catch {
      return 0;
    }
  }
}
