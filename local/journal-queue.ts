/**
 * The local durable queue: change envelopes appended (and fsync'd) to a journal file before the
 * receiver answers, consumed from a persisted offset. A crash at any point loses nothing: on start,
 * everything after the offset is processed again (the worker's version fence makes that safe).
 */
import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
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

  async send(messages: readonly ChangeEnvelope[]): Promise<void> {
    if (messages.length === 0) return;
    const fd = openSync(this.#file, 'a');
    try {
      appendFileSync(fd, messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.#listener?.();
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
