/**
 * The local durable queue: change envelopes appended (and fsync'd) to a journal file before the
 * receiver answers, consumed from a persisted offset. A crash at any point loses nothing: on start,
 * everything after the offset is processed again (the worker's version fence makes that safe).
 */
import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ChangeEnvelope } from '../functions/shared/changes/envelope.js';
import type { Queue } from '../functions/shared/ports.js';

export class JournalQueue implements Queue<ChangeEnvelope> {
  readonly #file: string;
  readonly #offsetFile: string;
  #listener: (() => void) | undefined;

  constructor(file: string) {
    this.#file = file;
    this.#offsetFile = `${file}.offset`;
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

  /** Envelopes after the committed offset (a torn last line from a crash is skipped). */
  pending(): { envelopes: ChangeEnvelope[]; end: number } {
    let text = '';
    try {
      text = readFileSync(this.#file, 'utf8');
    } catch {
      return { envelopes: [], end: 0 };
    }
    const lines = text.split('\n');
    // The last element is '' after a final newline, or a torn line from a crash: never complete.
    const complete = lines.length - 1;
    const offset = this.#offset();
    const envelopes: ChangeEnvelope[] = [];
    for (let i = offset; i < complete; i++) {
      try {
        envelopes.push(JSON.parse(lines[i]!) as ChangeEnvelope);
      } catch {
        // unreadable line: never acknowledged to a sender, skip it
      }
    }
    return { envelopes, end: complete };
  }

  /** Marks everything before line `end` as processed. */
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
