/**
 * The record of recent changes behind `GET /_status`: for each change its source, the time of each
 * stage (received, built, uploaded, invalidated), what it rebuilt, uploaded and invalidated, and
 * its errors. Kept in memory (last 200) and appended to `status.jsonl` in the data directory.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type ChangeSource =
  | { kind: 'full-build'; reason: string }
  | { kind: 'catalog'; sku: string; sequenceNumber: string; eventName: string }
  | { kind: 'contentful'; entityId: string; version: string; topic: string };

export interface ChangeRecord {
  id: string;
  correlationId: string;
  source: ChangeSource;
  stages: { received: string; built?: string; uploaded?: string; invalidated?: string; skipped?: string; failed?: string; deadLettered?: string };
  pagesRebuilt: number;
  objectsUploaded: number;
  objectsDeleted: number;
  pathsInvalidated: string[];
  errors: string[];
  warnings: string[];
}

export class StatusLog {
  readonly #records: ChangeRecord[] = [];
  readonly #file: string | undefined;
  #counter = 0;

  constructor(file?: string) {
    this.#file = file;
    if (file) mkdirSync(dirname(file), { recursive: true });
  }

  /** Opens a record at stage `received`. */
  open(source: ChangeSource, correlationId: string): ChangeRecord {
    const record: ChangeRecord = {
      id: `${Date.now().toString(36)}-${(++this.#counter).toString(36)}`,
      correlationId, source, stages: { received: new Date().toISOString() },
      pagesRebuilt: 0, objectsUploaded: 0, objectsDeleted: 0, pathsInvalidated: [], errors: [], warnings: [],
    };
    this.#records.push(record);
    if (this.#records.length > 200) this.#records.shift();
    return record;
  }

  /** Persists the record's current state (call when it reaches a final stage). */
  save(record: ChangeRecord): void {
    if (this.#file) appendFileSync(this.#file, `${JSON.stringify(record)}\n`);
  }

  /** The record of a change, by its correlation id. */
  find(correlationId: string): ChangeRecord | undefined {
    return this.#records.findLast((r) => r.correlationId === correlationId);
  }

  /** Newest first. */
  list(): ChangeRecord[] {
    return [...this.#records].reverse();
  }
}
