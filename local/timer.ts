/**
 * The local stand-in for EventBridge Scheduler's one-time schedules: at each instant at which pages
 * change with time alone (a sale starting or ending), a `Time` change envelope goes into the
 * changes journal. The instants are kept in the data directory, so a restart keeps them, and
 * instants that passed while the stack was down fire at once when it starts.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { timeEnvelope, type ChangeEnvelope } from '../functions/shared/changes/envelope.js';
import type { Logger, Queue } from '../functions/shared/ports.js';

/** setTimeout's longest delay (~24.8 days); longer waits re-arm. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class LocalTimer {
  #instants: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly file: string,
    private readonly queue: Queue<ChangeEnvelope>,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (Array.isArray(saved)) this.#instants = saved.filter((t): t is number => Number.isSafeInteger(t)).sort((a, b) => a - b);
    } catch {
      // no timers yet (or an unreadable file: the next run's schedule rewrites it)
    }
  }

  /** The instants waiting to fire, ascending. */
  get instants(): readonly number[] {
    return this.#instants;
  }

  /** Starts firing: instants already past fire now (caught up after a stop), later ones on time. */
  start(): void {
    this.#arm();
  }

  /** Makes the schedule exactly `instants` (what the last run asked for), durably. */
  sync(instants: readonly number[]): void {
    const next = [...new Set(instants)].sort((a, b) => a - b);
    if (next.length === this.#instants.length && next.every((t, i) => t === this.#instants[i])) return;
    this.#instants = next;
    this.#save();
    this.#arm();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #save(): void {
    // Written aside and renamed: a crash mid-write leaves the old schedule, never half of one.
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.#instants));
    renameSync(`${this.file}.tmp`, this.file);
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#closed || this.#instants.length === 0) return;
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, this.#instants[0]! - this.clock()));
    this.#timer = setTimeout(() => void this.#fire(), delay);
    this.#timer.unref();
  }

  async #fire(): Promise<void> {
    const now = this.clock();
    const due = this.#instants.filter((t) => t <= now);
    if (due.length) {
      try {
        // Queued before it leaves the schedule: a crash in between fires it twice, which is harmless.
        await this.queue.send(due.map((t) => timeEnvelope(t, `time-${randomUUID()}`)));
        this.#instants = this.#instants.filter((t) => t > now);
        this.#save();
        this.logger.info('time reached: pages that change with it are rebuilt', { instants: due.map((t) => new Date(t).toISOString()) });
      } catch (error) {
        this.logger.error('could not queue a scheduled instant; retrying', { error: String(error) });
        this.#timer = setTimeout(() => void this.#fire(), 1000);
        this.#timer.unref();
        return;
      }
    }
    this.#arm();
  }
}
