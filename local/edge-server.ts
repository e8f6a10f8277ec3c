/**
 * The local edge: behaves like CloudFront (plus the viewer-request function of the deployed stack)
 * in front of the site bucket. `/a/b/` serves `a/b/index.html`, `/a/b` 301s to `/a/b/` when that
 * exists, recorded redirects answer 301, misses answer 404 with `/404.html`, and responses are
 * cached until the pipeline invalidates them. Control routes (`/_hooks`, `/_local`, `/_status`)
 * are dispatched to handlers the stack registers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RestaticError } from '../functions/shared/errors.js';
import type { Logger, ObjectStore, StoredObject } from '../functions/shared/ports.js';
import { LOCAL_INVALIDATION_ROUTE } from './edge-cdn.js';
import { normalizePath } from '../functions/shared/publish/cache-key.js';
import { readRedirects } from '../functions/shared/publish/redirects.js';

/** A site mounted under a path prefix (the private preview): answers every method on its paths itself. */
export type MountHandler = (req: IncomingMessage, url: URL) => Promise<{ status: number; headers: Record<string, string>; body: Buffer }>;

/** A control route: gets the request and its raw body (already size-limited). */
export type RouteHandler = (req: IncomingMessage, body: Buffer, params: Record<string, string>) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;

interface CachedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  storedAt: number;
  /** Misses are cached briefly, like CloudFront's default error caching. */
  expiresAt: number;
}

export interface EdgeOptions {
  store: ObjectStore;
  logger: Logger;
  /** Largest request body for control routes. @default 1 MiB */
  maxBodyBytes?: number;
  /** How long a 404 stays cached, in ms. @default 10,000 */
  errorTtlMs?: number;
  /** Cache budget in bytes. @default 256 MiB */
  cacheBytes?: number;
  /**
   * Paths answered by a function instead of the bucket (`/_img/`: pictures resized on first
   * request, as the image function behind CloudFront), cached like any origin's answer: a 200 until
   * invalidated, anything else for `errorTtlMs`. A function that throws costs that request a 502.
   */
  functionOrigins?: Record<string, (path: string) => Promise<{ status: number; headers: Record<string, string>; body: Buffer }>>;
}

/** A request body over the limit (413): the client's to fix, never retryable. */
export class BodyTooLargeError extends RestaticError {}

const ROUTE_PREFIXES = ['/_hooks/', '/_local/', '/_status'];

/** S3's longest key, and the longest path segment any file system the stand-ins use accepts. */
const MAX_KEY_BYTES = 1024;
const MAX_SEGMENT_BYTES = 255;

/** Whether a Host header (or an origin's host) names this machine: a loopback name or address. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return true; // HTTP/1.0 without Host: only a local client reached this socket
  const name = host.replace(/:\d+$/, '').toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost') || name === '[::1]' || /^127(\.\d{1,3}){3}$/.test(name);
}

/**
 * Why a request to a local control route is refused, if it is: a Host that is not loopback (DNS
 * rebinding: a web page whose name resolves to 127.0.0.1), or a browser's cross-site request
 * (any web page can POST text/plain to 127.0.0.1 without a preflight).
 */
export function refuseNonLocal(headers: IncomingMessage['headers']): string | undefined {
  if (!isLoopbackHost(headers.host)) return `expected a loopback Host (127.0.0.1, localhost), got ${JSON.stringify(headers.host)}`;
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `expected a same-origin request, got Sec-Fetch-Site: ${site}`;
  const origin = headers.origin;
  if (origin !== undefined) {
    let host: string | undefined;
    try { host = new URL(origin).host; } catch { host = undefined; }
    if (!host || !isLoopbackHost(host)) return `expected a request from this machine's own pages, got Origin: ${origin}`;
  }
  return undefined;
}

export class EdgeServer {
  readonly #options: EdgeOptions;
  readonly #routes: Array<{ method: string; pattern: RegExp; names: string[]; handler: RouteHandler }> = [];
  readonly #cache = new Map<string, CachedResponse>();
  readonly #mounts: Array<{ prefix: string; handler: MountHandler }> = [];
  #cacheBytes = 0;
  #redirects: Record<string, string> = {};
  #server: Server | undefined;
  readonly stats = { hits: 0, misses: 0, invalidations: 0 };

  constructor(options: EdgeOptions) {
    this.#options = options;
    this.route('POST', LOCAL_INVALIDATION_ROUTE, async (_req, body) => {
      const request = JSON.parse(body.toString('utf8') || '{}') as { paths?: unknown; callerReference?: unknown };
      if (!Array.isArray(request.paths) || !request.paths.every((p) => typeof p === 'string' && p.startsWith('/'))) {
        return { status: 400, body: { error: 'expected {"paths": ["/…"], "callerReference": "…"}', field: 'paths' } };
      }
      await this.invalidate(request.paths as string[]);
      return { status: 201, body: { id: `local-${String(request.callerReference ?? Date.now())}`, paths: request.paths.length } };
    });
  }

  /** Registers a control route; `{name}` segments become params. */
  route(method: string, path: string, handler: RouteHandler): void {
    const names: string[] = [];
    const pattern = new RegExp(`^${path.replace(/\{(\w+)\}/g, (_, name: string) => { names.push(name); return '([^/]+)'; })}$`);
    this.#routes.push({ method, pattern, names, handler });
  }

  /** Serves `prefix` (and everything under `prefix/`) with `handler`, uncached, before anything else. */
  mount(prefix: string, handler: MountHandler): void {
    this.#mounts.push({ prefix, handler });
  }

  /** Drops cached responses for CloudFront-style paths (`/a/b/`, `/a/*`, `/*`) and reloads redirects. */
  async invalidate(paths: readonly string[]): Promise<void> {
    this.stats.invalidations++;
    for (const path of paths) {
      if (path.endsWith('*')) {
        const prefix = path.slice(0, -1);
        for (const key of [...this.#cache.keys()]) if (key.startsWith(prefix)) this.#evict(key);
      } else {
        // Like CloudFront behind the viewer-request rewrite: `/a/b/index.html` is also `/a/b/`.
        this.#evict(path);
        if (path.endsWith('/index.html')) this.#evict(path.slice(0, -'index.html'.length));
        else if (path.endsWith('/')) this.#evict(`${path}index.html`);
        this.#evict(path.replace(/\/$/, ''));
      }
    }
    await this.reloadRedirects();
  }

  async reloadRedirects(): Promise<void> {
    this.#redirects = await readRedirects(this.#options.store);
  }

  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    await this.reloadRedirects();
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.#options.logger.error('edge request failed', { url: req.url, error });
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Bad gateway: the origin failed\n');
      });
    });
    this.#server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      this.#server!.once('error', reject);
      this.#server!.listen(port, host, () => resolve());
    });
    return `http://${host}:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #evict(path: string): void {
    const entry = this.#cache.get(path);
    if (!entry) return;
    this.#cacheBytes -= entry.body.length;
    this.#cache.delete(path);
  }

  #remember(path: string, response: CachedResponse): void {
    this.#evict(path);
    const budget = this.#options.cacheBytes ?? 256 * 1024 * 1024;
    if (response.body.length > budget / 4) return;
    // Map iteration order is insertion order: evict the oldest entries first (FIFO is enough here).
    for (const key of this.#cache.keys()) {
      if (this.#cacheBytes + response.body.length <= budget) break;
      this.#evict(key);
    }
    this.#cache.set(path, response);
    this.#cacheBytes += response.body.length;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://edge.local');
    const mount = this.#mounts.find((m) => url.pathname === m.prefix || url.pathname.startsWith(`${m.prefix}/`));
    if (mount) {
      req.resume();
      const response = await mount.handler(req, url);
      res.writeHead(response.status, { ...response.headers, 'content-length': String(response.body.length) });
      res.end(req.method === 'HEAD' ? undefined : response.body);
      return;
    }
    if (ROUTE_PREFIXES.some((p) => url.pathname === p || url.pathname.startsWith(p))) return this.#control(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    // One cache key per object, as the viewer-request function makes it in CloudFront.
    const response = await this.#lookup(normalizePath(url.pathname));
    const headers: Record<string, string> = { ...response.headers, 'x-cache': response.storedAt === -1 ? 'Miss from edge' : 'Hit from edge' };
    if (response.storedAt !== -1) headers.age = String(Math.floor((Date.now() - response.storedAt) / 1000));
    const etag = response.headers.etag;
    if (response.status === 200 && etag && req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(response.status, { ...headers, 'content-length': String(response.body.length) });
    res.end(req.method === 'HEAD' ? undefined : response.body);
  }

  /** Cached response for a path, or the origin's (marked with storedAt -1 for the miss). */
  async #lookup(path: string): Promise<CachedResponse> {
    const cached = this.#cache.get(path);
    if (cached && cached.expiresAt > Date.now()) {
      this.stats.hits++;
      return cached;
    }
    this.stats.misses++;
    const response = await this.#origin(path);
    this.#remember(path, { ...response, storedAt: Date.now() });
    return { ...response, storedAt: -1 };
  }

  async #origin(rawPath: string): Promise<Omit<CachedResponse, 'storedAt'>> {
    const forever = Number.MAX_SAFE_INTEGER;
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return this.#notFound();
    }
    // No object can have a longer key: answer as S3 would, without asking the stand-in to try.
    if (Buffer.byteLength(path) > MAX_KEY_BYTES || path.split('/').some((segment) => Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)) return this.#notFound();
    // Never serve pipeline state, and never let a path walk out of the bucket's key space.
    if (path.includes('\0') || /(^|\/)\.\.?(\/|$)/.test(path) || path.startsWith('/_restatic/')) return this.#notFound();
    for (const [prefix, answer] of Object.entries(this.#options.functionOrigins ?? {})) {
      if (!path.startsWith(prefix)) continue;
      const response = await answer(path);
      return { ...response, expiresAt: response.status === 200 ? forever : Date.now() + (this.#options.errorTtlMs ?? 10_000) };
    }
    const redirect = this.#redirects[path] ?? this.#redirects[path.endsWith('/') ? path : `${path}/`];
    if (redirect) return { status: 301, headers: { location: redirect, 'cache-control': 'public, max-age=300' }, body: Buffer.alloc(0), expiresAt: forever };
    const key = path.endsWith('/') ? `${path.slice(1)}index.html` : path.slice(1);
    const object = key ? await this.#options.store.get(key) : undefined;
    if (object) return { status: 200, headers: this.#headers(object), body: object.body, expiresAt: forever };
    if (!path.endsWith('/') && (await this.#options.store.get(`${path.slice(1)}/index.html`))) {
      return { status: 301, headers: { location: `${encodeURI(path)}/`, 'cache-control': 'public, max-age=3600' }, body: Buffer.alloc(0), expiresAt: forever };
    }
    return this.#notFound();
  }

  async #notFound(): Promise<Omit<CachedResponse, 'storedAt'>> {
    const page = await this.#options.store.get('404.html');
    const expiresAt = Date.now() + (this.#options.errorTtlMs ?? 10_000);
    if (page) return { status: 404, headers: this.#headers(page), body: page.body, expiresAt };
    return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: Buffer.from('Not found\n'), expiresAt };
  }

  #headers(object: StoredObject): Record<string, string> {
    return { 'content-type': object.contentType, 'cache-control': object.cacheControl, etag: object.etag };
  }

  async #control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    // A route answers JSON, or bytes it gives its own content-type (the HTML /_status).
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const bytes = Buffer.isBuffer(body) ? body : Buffer.from(`${JSON.stringify(body, null, 2)}\n`);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(bytes.length), vary: 'Accept', ...headers }).end(bytes);
    };
    // The control routes that act are for this machine only (docs/contracts.md §2: every /_local/* route);
    // the webhook route stays open (its requests are signed) and /_status only reads.
    const refused = url.pathname.startsWith('/_local/') ? refuseNonLocal(req.headers) : undefined;
    if (refused) {
      req.resume();
      return send(403, { error: refused });
    }
    const candidates = this.#routes.filter((r) => r.pattern.test(url.pathname));
    if (candidates.length === 0) return send(404, { error: `no route ${url.pathname}` });
    const route = candidates.find((r) => r.method === req.method);
    if (!route) return send(405, { error: `${req.method} is not allowed on ${url.pathname}` }, { allow: candidates.map((r) => r.method).join(', ') });
    let body: Buffer;
    try {
      body = await readBody(req, this.#options.maxBodyBytes ?? 1024 * 1024);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return send(413, { error: error.message });
      throw error;
    }
    const match = route.pattern.exec(url.pathname)!;
    let params: Record<string, string>;
    try {
      params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
    } catch {
      return send(400, { error: `expected well-formed percent-escapes (UTF-8) in ${url.pathname}` });
    }
    try {
      const result = await route.handler(req, body, params);
      send(result.status, result.body, result.headers);
    } catch (error) {
      if (error instanceof SyntaxError) return send(400, { error: `expected a JSON body: ${error.message}` });
      this.#options.logger.error('control route failed', { route: url.pathname, error });
      send(500, { error: (error as Error).message });
    }
  }
}

/** Reads a request body, refusing more than `limit` bytes (early, from Content-Length when given). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw new BodyTooLargeError(`request body of ${declared} bytes is over the ${limit}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(`request body is over the ${limit}-byte limit`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
