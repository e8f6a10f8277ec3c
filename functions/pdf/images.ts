/**
 * Where the PDFs' product images come from. A product's image is a site path (`/assets/…`, read
 * from the bucket), an absolute URL on the site itself (also read from the bucket), or an https URL
 * on an image host the store allows (fetched). Contentful's image hosts are always allowed, and
 * asked for a copy no larger than the PDF needs (Images API `w`/`h`): an editor's 6,000-pixel
 * upload would otherwise be embedded whole in every sheet that shows it.
 *
 * A missing or unusable image (404, not PNG/JPEG, too large, a host not on the list) degrades to
 * the placeholder. A failure that may pass (network, timeout, 5xx, throttling, a store error that
 * says so) throws a retryable error instead: a sheet published without its image would not be
 * rendered again until the product changes, because its version would match. An image host's
 * passing failures are first tried again here, a few times with backoff (and its `Retry-After`
 * when short): one flaky image would otherwise fail a whole job, and a catalog job is thousands of
 * products. The bucket needs no such loop: the AWS SDK already retries its own requests.
 */
import { ImageFetchError, ObjectStoreError } from '../shared/errors.js';
import type { ObjectStore } from '../shared/ports.js';
import { embeddable } from './draw.js';

/** Reads an image by site path or URL at up to `size` pixels a side (a hint); undefined when it cannot be had. */
export type ImageLoader = (src: string, size?: number) => Promise<Buffer | undefined>;

/** Contentful's Images API hosts (global and EU data residency). */
export const CONTENTFUL_IMAGE_HOSTS = ['images.ctfassets.net', 'images.eu.ctfassets.net'];

export interface ImageLoaderOptions {
  store: ObjectStore;
  /** The site's public origin (`https://shop.example.com`): URLs under it are read from the bucket. */
  siteOrigin?: string;
  /** Further hosts whose https images may be fetched (exact names, e.g. `cdn.example.com`). */
  hosts?: readonly string[];
  fetch?: typeof fetch;
  /** Largest image accepted, in bytes (default 10 MB); a larger one degrades to the placeholder. */
  maxBytes?: number;
  /** Per request (default 5 s). */
  timeoutMs?: number;
  /** Images kept (default 200): the catalog shows each category's images many times over a run. */
  cacheSize?: number;
  /** Hears of images that degraded to the placeholder, and why. */
  onMissing?: (src: string, reason: string) => void;
  /** Further attempts at an image host after a failure that may pass (default 2). */
  retries?: number;
  /** The first backoff (default 250 ms); it doubles each attempt, with jitter. */
  retryDelayMs?: number;
  /** The longest `Retry-After` waited for here (default 5 s); a longer one fails the job at once, as retryable. */
  maxRetryAfterMs?: number;
  /** Waits between attempts (tests pass one that records instead of waiting). */
  sleep?: (ms: number) => Promise<void>;
}

const MAX_REDIRECTS = 3;

/** A failure that may pass, and how long the host asked us to wait before trying again. */
class Transient {
  constructor(readonly error: ImageFetchError, readonly retryAfterMs?: number) {}
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The bucket key of a site path: percent-escapes decoded (a malformed one is kept as written). */
function keyOf(path: string): string {
  try {
    return decodeURIComponent(path.slice(1));
  } catch {
    return path.slice(1);
  }
}

/** Builds the loader; one per worker, its cache shared by every job it runs. */
export function imageLoader(options: ImageLoaderOptions): ImageLoader {
  const { store, maxBytes = 10 * 1024 * 1024, timeoutMs = 5000, cacheSize = 200, onMissing } = options;
  const { retries = 2, retryDelayMs = 250, maxRetryAfterMs = 5000 } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const fetchImpl = options.fetch ?? fetch;
  const hosts = new Set([...CONTENTFUL_IMAGE_HOSTS, ...(options.hosts ?? [])].map((h) => h.toLowerCase()));
  const site = options.siteOrigin ? new URL(options.siteOrigin) : undefined;
  const cache = new Map<string, Promise<Buffer | undefined>>();

  const missing = (src: string, reason: string): undefined => {
    onMissing?.(src, reason);
    return undefined;
  };

  const fromStore = async (src: string, key: string): Promise<Buffer | undefined> => {
    try {
      const object = await store.get(key);
      if (!object) return missing(src, `no object ${key} in the bucket`);
      return embeddable(object.body) ? object.body : missing(src, 'expected a PNG or JPEG image');
    } catch (error) {
      if (error instanceof ObjectStoreError && !error.retryable) return missing(src, error.message);
      throw new ImageFetchError(`Reading image ${src} from the bucket failed: ${(error as Error).message}`, { cause: error, retryable: true });
    }
  };

  /** One attempt at an image host: the image, undefined (degrade), or a failure that may pass. */
  const fetchOnce = async (src: string, url: URL): Promise<Buffer | undefined | Transient> => {
    let response: Response;
    for (let hop = 0; ; hop++) {
      try {
        // Redirects are followed by hand so that every hop must be an allowed https host.
        response = await fetchImpl(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        return new Transient(new ImageFetchError(`Fetching image ${src} failed: ${(error as Error).message}`, { cause: error, retryable: true }));
      }
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || !location) break;
      await response.body?.cancel();
      const next = new URL(location, url);
      if (hop >= MAX_REDIRECTS) return missing(src, `more than ${MAX_REDIRECTS} redirects`);
      if (!allowed(next)) return missing(src, `redirected to ${next.host}, which is not an allowed image host`);
      url = next;
    }
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel();
      return new Transient(new ImageFetchError(`Fetching image ${src}: expected 200, got ${response.status}`, { retryable: true }), retryAfterMs(response.headers.get('retry-after')));
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      return missing(src, `expected 200, got ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > maxBytes) {
      await response.body?.cancel();
      return missing(src, `${declared} bytes, more than the ${maxBytes} accepted`);
    }
    const chunks: Buffer[] = [];
    let length = 0;
    const reader = response.body?.getReader();
    try {
      for (let read = await reader?.read(); read && !read.done; read = await reader!.read()) {
        length += read.value.length;
        if (length > maxBytes) {
          await reader!.cancel();
          return missing(src, `more than the ${maxBytes} bytes accepted`);
        }
        chunks.push(Buffer.from(read.value.buffer, read.value.byteOffset, read.value.byteLength));
      }
    } catch (error) {
      return new Transient(new ImageFetchError(`Reading image ${src} failed: ${(error as Error).message}`, { cause: error, retryable: true }));
    }
    const body = Buffer.concat(chunks);
    return embeddable(body) ? body : missing(src, 'expected a PNG or JPEG image');
  };

  /** An image host, tried again after failures that may pass; the last one is thrown, as retryable. */
  const fromHost = async (src: string, url: URL): Promise<Buffer | undefined> => {
    for (let attempt = 0; ; attempt++) {
      const result = await fetchOnce(src, url);
      if (!(result instanceof Transient)) return result;
      // A host that asks for a longer pause than a job should sit through: the queue's retry waits.
      if (attempt >= retries || (result.retryAfterMs ?? 0) > maxRetryAfterMs) throw result.error;
      // Exponential backoff with equal jitter, so many jobs failing together do not return together.
      const backoff = retryDelayMs * 2 ** attempt;
      await sleep(Math.max(result.retryAfterMs ?? 0, backoff / 2 + Math.random() * (backoff / 2)));
    }
  };

  const allowed = (url: URL) => url.protocol === 'https:' && hosts.has(url.hostname.toLowerCase());

  const load = (src: string, size: number | undefined): Promise<Buffer | undefined> => {
    if (src.startsWith('/') && !src.startsWith('//')) return fromStore(src, keyOf(src.split(/[?#]/)[0]!));
    let url: URL;
    try {
      // Contentful's file URLs are protocol-relative (`//images.ctfassets.net/…`).
      url = new URL(src.startsWith('//') ? `https:${src}` : src);
    } catch {
      return Promise.resolve(missing(src, 'not a URL or site path'));
    }
    if (site && url.origin === site.origin) return fromStore(src, keyOf(url.pathname));
    if (!allowed(url)) return Promise.resolve(missing(src, url.protocol === 'https:' ? `${url.hostname} is not an allowed image host` : 'only https images are fetched'));
    if (size && CONTENTFUL_IMAGE_HOSTS.includes(url.hostname.toLowerCase()) && !url.searchParams.has('w') && !url.searchParams.has('h')) {
      // Fits within size × size, keeping the aspect ratio (the Images API's default fit).
      url.searchParams.set('w', String(size));
      url.searchParams.set('h', String(size));
    }
    return fromHost(src, url);
  };

  return (src, size) => {
    const key = `${size ?? ''} ${src}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = load(src, size);
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
      cache.set(key, hit);
      // A failure that may pass is not remembered: the retry must try again.
      hit.catch(() => { if (cache.get(key) === hit) cache.delete(key); });
    }
    return hit;
  };
}
