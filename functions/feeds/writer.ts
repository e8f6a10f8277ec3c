/**
 * Streams one feed per target to disk: the XML and its gzip in one pass, both hashed as they are
 * written, with backpressure respected (writes wait for `drain`), so memory stays flat whatever the
 * catalog size. IDs are de-duplicated case-insensitively per feed; the report keeps counts and a
 * bounded list of issues.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import type { Product } from '../shared/catalog/product.js';
import { itemFor, prepareItem, type FeedIssue, type FeedTarget, type ItemContext, type PreparedItem } from './item.js';
import { FEED_FOOTER, feedHeader, itemXml } from './xml.js';

/** Issues kept in a report: the counts stay exact beyond it. */
const MAX_REPORTED_ISSUES = 5000;
const FLUSH_BYTES = 256 * 1024;

export interface FeedReport {
  target: string;
  /** sha256 of the feed XML this report describes (no timestamp: same feed, same report bytes). */
  feedSha256: string;
  itemsIn: number;
  included: number;
  excluded: number;
  warnings: number;
  /** Issues beyond MAX_REPORTED_ISSUES are counted, not listed. */
  issues: FeedIssue[];
  issuesNotListed: number;
}

export interface WrittenFeed {
  target: FeedTarget;
  xml: { file: string; hash: string; size: number };
  gz: { file: string; hash: string; size: number };
  report: FeedReport;
}

class HashedFile {
  readonly hash: Hash = createHash('sha256');
  size = 0;
  constructor(readonly stream: WriteStream) {}
}

class TargetWriter {
  readonly #xml: HashedFile;
  readonly #gzFile: HashedFile;
  readonly #gzip: Gzip;
  readonly #ids = new Set<string>();
  #buffer = '';
  readonly report: FeedReport;

  constructor(readonly target: FeedTarget, readonly dir: string, header: string) {
    this.#xml = new HashedFile(createWriteStream(join(dir, `${target.id}.xml`)));
    this.#gzFile = new HashedFile(createWriteStream(join(dir, `${target.id}.xml.gz`)));
    // Deterministic gzip (Node writes mtime 0): the same feed gives the same bytes, so no re-upload.
    // Level 1: the fastest deflate still shrinks XML several-fold; a crawler fetch gains little more.
    this.#gzip = createGzip({ level: 1 });
    this.#gzip.on('data', (chunk: Buffer) => {
      this.#gzFile.hash.update(chunk);
      this.#gzFile.size += chunk.length;
      if (!this.#gzFile.stream.write(chunk)) this.#gzip.pause();
    });
    this.#gzFile.stream.on('drain', () => this.#gzip.resume());
    this.report = { target: target.id, feedSha256: '', itemsIn: 0, included: 0, excluded: 0, warnings: 0, issues: [], issuesNotListed: 0 };
    this.#buffer = header;
  }

  #record(issue: FeedIssue): void {
    if (this.report.issues.length < MAX_REPORTED_ISSUES) this.report.issues.push(issue);
    else this.report.issuesNotListed++;
  }

  /** Adds an item; returns true when enough is buffered that the caller should `flush()`. */
  add(prepared: PreparedItem): boolean {
    const { product } = prepared;
    this.report.itemsIn++;
    const { item, issues } = itemFor(prepared, this.target);
    for (const issue of issues) this.#record(issue);
    this.report.warnings += issues.filter((i) => i.severity === 'warning').length;
    if (!item) {
      this.report.excluded++;
      return false;
    }
    const key = product.sku.toLowerCase();
    if (this.#ids.has(key)) {
      this.report.excluded++;
      this.#record({ id: product.sku, attribute: 'id', rule: 'must be unique in the feed, ignoring case', severity: 'error' });
      return false;
    }
    this.#ids.add(key);
    this.report.included++;
    this.#buffer += itemXml(item);
    return this.#buffer.length >= FLUSH_BYTES;
  }

  /** Writes the buffer to the XML file and the gzip stream, waiting for both to drain. */
  async flush(): Promise<void> {
    if (!this.#buffer) return;
    const chunk = Buffer.from(this.#buffer, 'utf8');
    this.#buffer = '';
    this.#xml.hash.update(chunk);
    this.#xml.size += chunk.length;
    const xmlOk = this.#xml.stream.write(chunk);
    const gzOk = this.#gzip.write(chunk);
    // Listen for both drains now: awaiting one first could miss the other's event and hang.
    await Promise.all([xmlOk ? undefined : once(this.#xml.stream, 'drain'), gzOk ? undefined : once(this.#gzip, 'drain')]);
  }

  async finish(): Promise<WrittenFeed> {
    this.#buffer += FEED_FOOTER;
    await this.flush();
    this.#gzip.end();
    await once(this.#gzip, 'end');
    this.#xml.stream.end();
    this.#gzFile.stream.end();
    await Promise.all([once(this.#xml.stream, 'close'), once(this.#gzFile.stream, 'close')]);
    const xmlHash = this.#xml.hash.digest('hex');
    this.report.feedSha256 = xmlHash;
    return {
      target: this.target,
      xml: { file: this.#xml.stream.path as string, hash: xmlHash, size: this.#xml.size },
      gz: { file: this.#gzFile.stream.path as string, hash: this.#gzFile.hash.digest('hex'), size: this.#gzFile.size },
      report: this.report,
    };
  }
}

export interface WriteFeedsOptions {
  targets: readonly FeedTarget[];
  ctx: ItemContext;
  channel: { title: string; link: string; description: string };
  /** Directory for the files (a fresh temporary directory per run). */
  dir: string;
  onProgress?: (itemsIn: number) => void;
}

/** Writes every target's feed from a stream of products. */
export async function writeFeeds(products: AsyncIterable<Product> | Iterable<Product>, options: WriteFeedsOptions): Promise<WrittenFeed[]> {
  const writers = options.targets.map((t) => new TargetWriter(t, options.dir, feedHeader({ ...options.channel, title: `${options.channel.title} (${t.feedLabel})` })));
  let n = 0;
  for await (const product of products) {
    const prepared = prepareItem(product, options.ctx);
    // Synchronous per item; only a full buffer awaits (promises per item cost more than the XML).
    for (const writer of writers) if (writer.add(prepared)) await writer.flush();
    if (++n % 1000 === 0) options.onProgress?.(n);
  }
  options.onProgress?.(n);
  return Promise.all(writers.map((w) => w.finish()));
}
