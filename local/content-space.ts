/**
 * The local stand-in for Contentful's Delivery API: the bundled export plus every entity that a
 * signed webhook published or unpublished since. It answers the Sync API's questions — everything,
 * or what changed since a token — so the rebuild worker reads current state exactly as it does
 * against Contentful. Changes are appended (fsync'd) to a journal in the data directory.
 */
import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ContentEntity, DeletedEntity, LocaleDef } from '../functions/shared/content/types.js';
import { changeVersion, entityRevision } from '../functions/shared/content/types.js';
import type { ContentDelta, ContentSource } from '../functions/shared/ports.js';

interface SpaceChange {
  seq: number;
  op: 'upsert' | 'delete';
  type: 'Entry' | 'Asset';
  entity: ContentEntity | DeletedEntity;
}

export class LocalContentSpace implements ContentSource {
  readonly #base: ContentSource;
  readonly #file: string;
  readonly #changes: SpaceChange[] = [];
  /** Bytes of the journal read so far: another thread (the receiver) may append to it. */
  #read = 0;

  readonly #newerWins: boolean;

  /**
   * `newerWins`: a recorded entity shows only while it is at least as new as the base's (the drafts
   * layer: a publish after a draft is newer, and the preview shows it without a record of its own).
   */
  constructor(base: ContentSource, journalFile: string, options: { newerWins?: boolean } = {}) {
    this.#base = base;
    this.#file = journalFile;
    this.#newerWins = options.newerWins ?? false;
    mkdirSync(dirname(journalFile), { recursive: true });
    this.#catchUp();
  }

  /** Reads complete lines appended to the journal since the last read (by this or another thread). */
  #catchUp(): void {
    let size: number;
    try {
      size = statSync(this.#file).size;
    } catch {
      return; // no journal yet: nothing has been published locally
    }
    if (size <= this.#read) return;
    const fd = openSync(this.#file, 'r');
    const buffer = Buffer.alloc(size - this.#read);
    try {
      readSync(fd, buffer, 0, buffer.length, this.#read);
    } finally {
      closeSync(fd);
    }
    const text = buffer.toString('utf8');
    const complete = text.lastIndexOf('\n') + 1; // a torn last line (crash mid-append) waits
    for (const line of text.slice(0, complete).split('\n')) {
      if (!line.trim()) continue;
      try {
        const change = JSON.parse(line) as SpaceChange;
        if (change.seq > this.#seq) this.#changes.push(change);
      } catch {
        // unreadable line: never acknowledged to Contentful, which will retry the webhook
      }
    }
    this.#read += Buffer.byteLength(text.slice(0, complete));
  }

  get #seq(): number {
    return this.#changes.at(-1)?.seq ?? 0;
  }

  async sync(token?: string): Promise<ContentDelta> {
    this.#catchUp();
    const base = await this.#base.sync();
    const since = token ? /^local:(.+):(\d+)$/.exec(token) : null;
    const nextToken = `local:${base.nextToken}:${this.#seq}`;
    if (!since || since[1] !== base.nextToken) {
      // First sync, or the bundled export changed underneath: everything, with the journal applied.
      const entries = new Map(base.entries.map((e) => [e.sys.id, e]));
      const assets = new Map(base.assets.map((a) => [a.sys.id, a]));
      for (const change of this.#changes) {
        const map = change.type === 'Entry' ? entries : assets;
        const current = map.get(change.entity.sys.id);
        if (this.#newerWins && current && BigInt(changeVersion(current.sys)) > BigInt(changeVersion(change.entity.sys))) continue;
        if (change.op === 'delete') map.delete(change.entity.sys.id);
        else map.set(change.entity.sys.id, change.entity as ContentEntity);
      }
      return { full: true, entries: [...entries.values()], assets: [...assets.values()], deletedEntries: [], deletedAssets: [], nextToken };
    }
    const delta: ContentDelta = { full: false, entries: [], assets: [], deletedEntries: [], deletedAssets: [], nextToken };
    for (const change of this.#changes.filter((c) => c.seq > Number(since[2]))) {
      if (change.op === 'delete') (change.type === 'Entry' ? delta.deletedEntries : delta.deletedAssets).push(change.entity as DeletedEntity);
      else (change.type === 'Entry' ? delta.entries : delta.assets).push(change.entity as ContentEntity);
    }
    return delta;
  }

  locales(): Promise<LocaleDef[]> {
    return this.#base.locales();
  }

  /**
   * Records a publish (`upsert`) or an unpublish/archive/delete (`delete`), durably. The entity gets
   * a CDA-style `sys.revision` from the CMA publish counter, as the Delivery API would show it.
   * An older change than the one already recorded for the entity is ignored (webhooks reorder).
   */
  apply(op: 'upsert' | 'delete', type: 'Entry' | 'Asset', entity: ContentEntity | DeletedEntity): void {
    this.#catchUp();
    const last = this.#changes.findLast((c) => c.type === type && c.entity.sys.id === entity.sys.id);
    if (last && BigInt(changeVersion(last.entity.sys)) >= BigInt(changeVersion(entity.sys))) return;
    const revision = entityRevision(entity.sys as ContentEntity['sys']);
    const stored = { ...entity, sys: { ...entity.sys, revision } } as ContentEntity;
    const change: SpaceChange = { seq: this.#seq + 1, op, type, entity: stored };
    const fd = openSync(this.#file, 'a');
    try {
      appendFileSync(fd, `${JSON.stringify(change)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.#changes.push(change);
    this.#read = statSync(this.#file).size;
  }
}
