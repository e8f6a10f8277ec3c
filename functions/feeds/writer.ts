/**
 * Streams one feed per target to disk: the XML and its gzip in one pass, both hashed as they are
 * written, with backpressure respected (bounded bytes in flight), so memory stays flat whatever the
 * catalog size. Items are UTF-8 encoded into 1 MiB chunks as they come (never one huge string), each
 * product's target-independent XML is serialised once for all feeds, IDs are de-duplicated
 * case-insensitively per feed by 64-bit hash, and the report keeps counts and a bounded issue list.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createGzip, type Gzip, type ZlibOptions } from 'node:zlib';
import type { Product } from '../shared/catalog/product.js';
import { RestaticError } from '../shared/errors.js';
import { type IdHash, IdSet, hashId } from './id-set.js';
import { prepareItem, priceEntries, type FeedIssue, type FeedTarget, type ItemContext, type PreparedItem } from './item.js';
import { entriesXml, FEED_FOOTER, feedHeader } from './xml.js';

/** A feed file could not be written (retryable when the cause may pass: disk full, too many files). */
export class FeedWriteError extends RestaticError {}

const EXCLUDED: IdHash = [0, 0];
const EMPTY = Buffer.alloc(0);

/** Issues kept in a report: the counts stay exact beyond it. */
const MAX_REPORTED_ISSUES = 5000;
/** Items are UTF-8 encoded straight into chunks of this size (no megabyte-long string ropes). */
const CHUNK_BYTES = 1 << 20;
/**
 * Bytes handed to the sinks (file, gzip on libuv's thread pool) but not yet consumed by both: above
 * HIGH the producer waits until they are back under LOW. (A stream's `drain` fires only once its
 * whole buffer is empty, which would leave the producer idle while the sinks catch up, and the sinks
 * idle while it refills; two marks keep both busy.)
 */
const IN_FLIGHT_HIGH = 8 << 20;
const IN_FLIGHT_LOW = 4 << 20;
/** The sinks' own buffers: never the limit (in-flight bytes are bounded above). */
const STREAM_HIGH_WATER = 2 * IN_FLIGHT_HIGH;

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

/**
 * A product's target-independent XML, UTF-8 encoded once for all feeds of a run: `pre` is
 * `<item>` and the attributes before the price, `post` those after it and `</item>`. Both are
 * views of a scratch buffer that the next product overwrites.
 */
interface SerialisedItem {
  prepared: PreparedItem;
  pre: Buffer;
  post: Buffer;
  idHash: IdHash;
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
  readonly #ids = new IdSet();
  readonly #priceIssues: FeedIssue[] = [];
  #chunk: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  #offset = 0;
  /** Full chunks waiting for `flush()`: the bytes, and the chunk to recycle once both sinks are done. */
  readonly #sealed: Array<{ bytes: Buffer; chunk?: Buffer }> = [];
  /**
   * Chunks both sinks have finished with, for reuse: writing into recycled memory avoids a page fault
   * per fresh 4 KiB and the GC pressure of a megabyte of external memory per chunk.
   */
  readonly #free: Buffer[] = [];
  #inFlight = 0;
  #resume?: () => void;
  #failure?: Error;
  readonly report: FeedReport;

  constructor(readonly target: FeedTarget, readonly dir: string, header: string) {
    this.#xml = new HashedFile(createWriteStream(join(dir, `${target.id}.xml`), { highWaterMark: STREAM_HIGH_WATER }));
    this.#gzFile = new HashedFile(createWriteStream(join(dir, `${target.id}.xml.gz`), { highWaterMark: STREAM_HIGH_WATER }));
    // Deterministic gzip (Node writes mtime 0): the same feed gives the same bytes, so no re-upload.
    // Level 1: the fastest deflate still shrinks XML several-fold; a crawler fetch gains little more.
    // zlib passes stream options on to its Transform, though its typings do not say so.
    this.#gzip = createGzip({ level: 1, chunkSize: 256 * 1024, highWaterMark: STREAM_HIGH_WATER } as ZlibOptions);
    this.#gzip.on('data', (chunk: Buffer) => {
      this.#gzFile.hash.update(chunk);
      this.#gzFile.size += chunk.length;
      if (!this.#gzFile.stream.write(chunk)) this.#gzip.pause();
    });
    this.#gzFile.stream.on('drain', () => this.#gzip.resume());
    // A sink failing (disk full, unwritable directory) fails the run instead of crashing the process
    // or leaving the producer waiting for bytes that will never drain.
    for (const stream of [this.#xml.stream, this.#gzFile.stream, this.#gzip]) {
      stream.on('error', (error: Error) => {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        this.#failure ??= new FeedWriteError(`feed ${target.id}: writing ${join(dir, target.id)}.xml(.gz) failed: ${error.message}`, { cause: error, retryable: ['ENOSPC', 'EMFILE', 'EAGAIN'].includes(code) });
        this.#resume?.();
        this.#resume = undefined;
      });
    }
    this.report = { target: target.id, feedSha256: '', itemsIn: 0, included: 0, excluded: 0, warnings: 0, issues: [], issuesNotListed: 0 };
    this.#write(header);
  }

  #record(issue: FeedIssue): void {
    if (issue.severity === 'warning') this.report.warnings++;
    if (this.report.issues.length < MAX_REPORTED_ISSUES) this.report.issues.push(issue);
    else this.report.issuesNotListed++;
  }

  /** Encodes text into the current chunk, sealing it first when the text might not fit. */
  #write(text: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit: a cheap bound instead of measuring each item.
    if (text.length * 3 > CHUNK_BYTES - this.#offset) {
      this.#seal();
      if (text.length * 3 > CHUNK_BYTES) {
        this.#sealed.push({ bytes: Buffer.from(text, 'utf8') });
        return;
      }
    }
    this.#offset += this.#chunk.write(text, this.#offset);
  }

  /** Copies encoded bytes into the current chunk (a copy of its own when larger than a chunk). */
  #writeBytes(bytes: Buffer): void {
    if (bytes.length > CHUNK_BYTES - this.#offset) {
      this.#seal();
      if (bytes.length > CHUNK_BYTES) {
        this.#sealed.push({ bytes: Buffer.from(bytes) });
        return;
      }
    }
    this.#chunk.set(bytes, this.#offset); // TypedArray#set: a memcpy (Buffer#copy goes through JS for small copies)
    this.#offset += bytes.length;
  }

  #seal(): void {
    if (this.#offset === 0) return;
    this.#sealed.push({ bytes: this.#chunk.subarray(0, this.#offset), chunk: this.#chunk });
    this.#chunk = this.#free.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
    this.#offset = 0;
  }

  /** Adds an item; returns true when a chunk is full and the caller should `flush()`. */
  add(item: SerialisedItem): boolean {
    const { prepared } = item;
    this.report.itemsIn++;
    for (const issue of prepared.issues) this.#record(issue);
    const issues = this.#priceIssues;
    issues.length = 0;
    const price = priceEntries(prepared, this.target, issues);
    for (const issue of issues) this.#record(issue);
    if (prepared.excluded || !price) {
      this.report.excluded++;
      return false;
    }
    if (!this.#ids.add(item.idHash)) {
      this.report.excluded++;
      this.#record({ id: prepared.product.sku, attribute: 'id', rule: 'must be unique in the feed, ignoring case', severity: 'error' });
      return false;
    }
    this.report.included++;
    this.#writeBytes(item.pre);
    this.#write(entriesXml(price));
    this.#writeBytes(item.post);
    return this.#sealed.length > 0;
  }

  /** Hands sealed chunks to the XML file and the gzip stream, waiting only when they fall behind. */
  async flush(): Promise<void> {
    if (this.#failure) throw this.#failure;
    for (const { bytes, chunk } of this.#sealed.splice(0)) {
      this.#xml.hash.update(bytes);
      this.#xml.size += bytes.length;
      this.#inFlight += bytes.length;
      // Write callbacks run once the file has the bytes and gzip has consumed them: then reuse.
      let holders = 2;
      const release = () => {
        if (--holders > 0) return;
        if (chunk) this.#free.push(chunk);
        this.#inFlight -= bytes.length;
        if (this.#resume && this.#inFlight <= IN_FLIGHT_LOW) {
          this.#resume();
          this.#resume = undefined;
        }
      };
      this.#xml.stream.write(bytes, release);
      this.#gzip.write(bytes, release);
    }
    if (this.#inFlight > IN_FLIGHT_HIGH) await new Promise<void>((resolve) => { this.#resume = resolve; });
    if (this.#failure) throw this.#failure;
  }

  async finish(): Promise<WrittenFeed> {
    this.#write(FEED_FOOTER);
    this.#seal();
    await this.flush();
    this.#gzip.end();
    this.#xml.stream.end();
    await Promise.all([once(this.#gzip, 'end'), once(this.#xml.stream, 'close')]).catch(() => undefined);
    this.#gzFile.stream.end();
    await once(this.#gzFile.stream, 'close').catch(() => undefined);
    if (this.#failure) throw this.#failure;
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

/** A market's side of the feeds: the product as its pages show it (text, slug) and its item context. */
export interface FeedMarket {
  id: string;
  /** The market's view of a product, or undefined where it does not sell it. */
  view(product: Product): Product | undefined;
  ctx: ItemContext;
}

export interface WriteFeedsOptions {
  targets: readonly FeedTarget[];
  /** The context of targets without a market of `markets`. */
  ctx: ItemContext;
  /** The markets targets name (`target.market`); the first is the default market. */
  markets?: readonly FeedMarket[];
  channel: { title: string; link: string; description: string };
  /** Directory for the files (a fresh temporary directory per run). */
  dir: string;
  onProgress?: (itemsIn: number) => void;
}

/** Writes every target's feed from a stream of products. */
export async function writeFeeds(products: AsyncIterable<Product> | Iterable<Product>, options: WriteFeedsOptions): Promise<WrittenFeed[]> {
  const writers = options.targets.map((t) => new TargetWriter(t, options.dir, feedHeader({ ...options.channel, title: `${options.channel.title} (${t.feedLabel})` })));
  // Targets grouped by market: a product is prepared once per market (its text and links), then
  // priced per target.
  const markets = options.markets ?? [];
  const groups = new Map<FeedMarket | undefined, TargetWriter[]>();
  for (const [i, target] of options.targets.entries()) {
    const market = markets.find((m) => m.id === target.market);
    groups.set(market, [...(groups.get(market) ?? []), writers[i]!]);
  }
  let scratch = Buffer.allocUnsafe(64 * 1024);
  let n = 0;
  for await (const product of products) {
    for (const [market, group] of groups) {
      // A product the market does not sell is prepared as it is: its price check then excludes it, reported.
      const prepared = market ? prepareItem(market.view(product) ?? product, market.ctx) : prepareItem(product, options.ctx);
      let item: SerialisedItem;
      if (prepared.excluded) item = { prepared, pre: EMPTY, post: EMPTY, idHash: EXCLUDED };
      else {
        const pre = `<item>${entriesXml(prepared.head)}`;
        const post = `${entriesXml(prepared.tail)}</item>\n`;
        if ((pre.length + post.length) * 3 > scratch.length) scratch = Buffer.allocUnsafe((pre.length + post.length) * 6);
        const preBytes = scratch.write(pre, 0);
        const postBytes = scratch.write(post, preBytes);
        item = { prepared, pre: scratch.subarray(0, preBytes), post: scratch.subarray(preBytes, preBytes + postBytes), idHash: hashId(product.sku) };
      }
      // Synchronous per item; only a full chunk awaits (promises per item cost more than the XML).
      for (const writer of group) if (writer.add(item)) await writer.flush();
    }
    if (++n % 1000 === 0) options.onProgress?.(n);
  }
  options.onProgress?.(n);
  return Promise.all(writers.map((w) => w.finish()));
}
