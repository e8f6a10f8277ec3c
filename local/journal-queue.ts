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

export class JournalQueue implements Queue<ChangeEnvelope> {
  readonly #file: string;
  readonly #offsetFile: string;
  #listener: (() => void) | undefined;

  constructor(file: string) {
    this.#file = file;
    this.#offsetFile = `${file}.committed-bytes`;
    mkdirSync(dirname(file), { recursive: true });
  }

  /** Resolves once the envelopes are durably in the journal; rejects if they could not be written. */
  send(messages: readonly ChangeEnvelope[]): Promise<void> {
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

  /**
   * Envelopes after the committed byte offset; `end` is the offset after the last complete line.
   * Reads only what was appended since (the journal grows; a drain must not re-read all of it).
   */
  pending(): { envelopes: ChangeEnvelope[]; end: number } {
    const offset = this.#offset();
    let size: number;
    try {
      size = statSync(this.#file).size;
    } catch {
      return { envelopes: [], end: offset };
    }
    if (size <= offset) return { envelopes: [], end: offset };
    const buffer = Buffer.alloc(size - offset);
    const fd = openSync(this.#file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    // Only complete lines: a torn last line (crash mid-append) was never acknowledged.
    const complete = buffer.lastIndexOf(0x0a) + 1;
    const envelopes: ChangeEnvelope[] = [];
    for (const line of buffer.subarray(0, complete).toString('utf8').split('\n')) {
      if (!line) continue;
      try {
        envelopes.push(JSON.parse(line) as ChangeEnvelope);
      } catch {
        // unreadable line: never acknowledged to a sender, skip it
      }
    }
    return { envelopes, end: offset + complete };
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
