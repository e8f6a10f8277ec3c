/**
 * The local control routes (docs/contracts.md §2): the Contentful webhook receiver (same core as the
 * Lambda), product reads and writes (a convenience over the local DynamoDB: its stream takes each
 * write to the pipeline), `/_status`, and dead-letter replay.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import mergePatch from 'json-merge-patch';
import { reconciliationEnvelopes } from '../functions/rebuild/reconcile.js';
import { readState, type SiteState } from '../functions/shared/state/site-state.js';
import { StateStore } from '../functions/shared/state/state-store.js';
import { receiveWebhook } from '../functions/rebuild/webhook.js';
import { activeSalePrice, validateProduct } from '../functions/shared/catalog/product.js';
import { ValidationError } from '../functions/shared/errors.js';
import type { PdfJob } from '../functions/shared/changes/pdf-jobs.js';
import type { LocalPdfQueue } from './pdf-queue.js';
import type { JsonLogger } from '../functions/shared/logger.js';
import type { ChangeLoop } from './change-loop.js';
import { LOCAL_CHECKOUT_ROUTE, type LocalConfig } from './config.js';
import { escapeUTF8 } from 'entities';
import { LocalContentSpace } from './content-space.js';
import type { EdgeServer, RouteHandler } from './edge-server.js';
import type { JournalQueue } from './journal-queue.js';
import type { LocalServices } from './compose.js';
import type { StatusLog } from './status.js';
import { prefersHtml, statusPage } from './status-page.js';
import type { StreamPoller, StreamReceipts } from './stream-poller.js';
import type { LocalPreview } from './preview.js';
import { DEFAULT_PREVIEW_TTL_SECONDS, MAX_PREVIEW_TTL_SECONDS, PREVIEW_ROOT, signPreviewToken } from '../functions/shared/preview/token.js';
import { ENTRY_ID } from '../functions/shared/preview/open.js';

interface RouteContext {
  /** Runs the scheduled feed job now (docs/contracts.md §2 `POST /_local/feeds`). */
  runFeeds: () => Promise<unknown>;
  /** Where the feed job is (running, items read, last result): shown in `/_status`. */
  feedStatus?: () => unknown;
  searchStatus?: () => unknown;
  compactionStatus?: () => unknown;
  /** The PDF job queue: `POST /_local/pdfs` runs jobs on it; its state shows in `/_status`. */
  pdfs?: LocalPdfQueue;
  config: LocalConfig;
  services: LocalServices;
  status: StatusLog;
  journal: JournalQueue;
  loop: ChangeLoop;
  /** The products table's local stream: who tells a writer its record, and the poller that queues it. */
  stream: { receipts: StreamReceipts; poller: StreamPoller };
  logger: JsonLogger;
  /** The private preview: drafts go to its queue; `/_local/preview-url` signs links to it with its key. */
  preview?: LocalPreview;
  previewKey?: string;
  /** Where the edge listens: preview links point there unless SITE_URL names another host. */
  edgeUrl?: string;
}

type RouteResult = Awaited<ReturnType<RouteHandler>>;

export function registerRoutes(edge: EdgeServer, ctx: RouteContext): void {
  const { config, services, status, journal, loop, logger } = ctx;
  const space = services.content instanceof LocalContentSpace ? services.content : undefined;

  edge.route('GET', '/_status', async (req) => (prefersHtml(req) ? {
    status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(statusPage(status.list(), config.siteUrl, new Date(), ctx.preview?.receipts() ?? [])),
  } : { status: 200, body: { changes: status.list(), rejected: [...loop.rejected.values()], ...(ctx.feedStatus ? { feeds: ctx.feedStatus() } : {}), ...(ctx.searchStatus ? { search: ctx.searchStatus() } : {}),
    ...(ctx.compactionStatus ? { compaction: ctx.compactionStatus() } : {}), ...(ctx.pdfs ? { pdfs: ctx.pdfs.state } : {}),
    ...(ctx.preview ? { preview: { active: ctx.preview.active, entries: ctx.preview.receipts(), changes: ctx.preview.status.list().slice(0, 50), ...(ctx.preview.compaction ? { compaction: ctx.preview.compaction } : {}) } } : {}) } }));

  edge.route('POST', '/_hooks/contentful', async (req: IncomingMessage, body: Buffer) => {
    const result = await receiveWebhook({
      secret: config.webhookSecret, spaceId: config.spaceId, environment: config.environment, queue: {
        // Open the status record before the envelope is queued: the loop may pick it up at once.
        send: async (envelopes) => {
          for (const e of envelopes) status.open({ kind: 'contentful', entityId: e.id, version: e.version, topic: e.topic }, e.correlationId);
          await journal.send(envelopes);
        },
      }, logger, ...(space ? { mirror: (op, type, entity) => space.apply(op, type, entity) } : {}),
      ...(ctx.preview ? { preview: { queue: ctx.preview.queue, mirror: (op, type, entity) => services.preview.content.apply(op, type, entity) } } : {}),
    }, { method: req.method ?? 'POST', path: req.url ?? '/', headers: req.headers as Record<string, string>, body: body.toString('utf8') });
    return { status: result.status, body: result.body };
  });

  // A link an editor opens (or Contentful's "Open preview" button, with the same token): it lands on
  // the page showing the entry once the preview has built its latest draft.
  if (ctx.preview && ctx.previewKey) {
    const key = ctx.previewKey;
    edge.route('POST', '/_local/preview-url', async (_req, body) => {
      const request = JSON.parse(body.toString('utf8') || '{}') as { entry?: unknown; ttlSeconds?: unknown };
      if (typeof request.entry !== 'string' || !ENTRY_ID.test(request.entry)) {
        return { status: 400, body: { error: `expected an entry id (1–64 of A-Z, a-z, 0-9, ".", "_", "-"), got ${JSON.stringify(request.entry ?? null)}`, field: 'entry' } };
      }
      const ttl = request.ttlSeconds ?? DEFAULT_PREVIEW_TTL_SECONDS;
      if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_PREVIEW_TTL_SECONDS) {
        return { status: 400, body: { error: `expected ttlSeconds to be an integer from 1 to ${MAX_PREVIEW_TTL_SECONDS}, got ${JSON.stringify(ttl)}`, field: 'ttlSeconds' } };
      }
      const expires = Math.floor(Date.now() / 1000) + ttl;
      const token = signPreviewToken(key, { expires });
      const base = (ctx.edgeUrl ?? config.siteUrl).replace(/\/$/, '');
      ctx.preview!.activate();
      return { status: 200, body: { entry: request.entry, url: `${base}${PREVIEW_ROOT}open?entry=${encodeURIComponent(request.entry)}&token=${token}`, expires: new Date(expires * 1000).toISOString(), contentfulPreviewUrl: `${base}${PREVIEW_ROOT}open?entry={entry.sys.id}&token=${token}` } };
    });
  }

  // The live state, re-read only when its ETag moved (it holds the page index: who owns which URL).
  let cached: { etag: string; state: SiteState | undefined } | undefined;
  const states = new StateStore(services.store, services.roots);
  const liveState = async () => {
    const etag = await states.version();
    if (etag === undefined) return undefined;
    if (cached?.etag !== etag) cached = { etag, state: await readState(services.store, services.roots) };
    return cached.state;
  };

  /**
   * Waits for the stream record a write of `sku` makes and for its change to be queued, so the
   * answer can name it (as a webhook's does); undefined for a write that changed nothing.
   */
  const receipt = async (sku: string, write: () => Promise<unknown>) => {
    const expected = ctx.stream.receipts.expect(sku);
    try {
      await write();
    } catch (error) {
      expected.cancel();
      throw error;
    }
    const n = await expected.notice;
    if (!n || n.unchanged) return { unchanged: true as const };
    let timer: NodeJS.Timeout | undefined;
    const queued = await Promise.race([
      ctx.stream.poller.handled(n.sequenceNumber).then(() => true),
      new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), 10_000); }),
    ]).finally(() => clearTimeout(timer));
    return { sequenceNumber: n.sequenceNumber, correlationId: n.eventID, eventName: n.eventName, queued };
  };

  /** Validates and writes one product (the whole item), and emits its stream record: PUT and PATCH. */
  const writeProduct = async (sku: string, fields: Record<string, unknown>): Promise<RouteResult> => {
    if (fields.sku !== undefined && fields.sku !== sku) return { status: 400, body: { error: `expected sku "${sku}" as in the path, got ${JSON.stringify(fields.sku)}`, field: 'sku' } };
    try {
      if (typeof fields.slug === 'string') {
        // An explicit slug may not take the URL of another live product (a derived one gets a suffix).
        const slug = validateProduct({ ...fields, sku }).slug;
        const owner = (await liveState())?.pages[`/products/${slug}/`]?.primary;
        if (owner && owner !== `sku:${sku}`) {
          return { status: 400, body: { error: `expected a slug no other product uses, got "${slug}": /products/${slug}/ is the page of ${owner.replace('sku:', 'product ')}`, field: 'slug' } };
        }
      }
      // The write goes to the table like any client's; the table's stream takes it to the pipeline.
      const written = await receipt(sku, () => services.catalog.put({ ...fields, sku }));
      return { status: 202, body: { accepted: true, sku, ...written } };
    } catch (error) {
      if (error instanceof ValidationError) return { status: 400, body: { error: error.message, field: error.field } };
      throw error;
    }
  };

  /** The request body as a JSON object, or the 400 that says what arrived instead. */
  const jsonObject = (body: Buffer, what: string): { value: Record<string, unknown> } | { refused: RouteResult } => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return { refused: { status: 400, body: { error: `expected ${what} as JSON, got unparseable text: ${(error as Error).message}`, field: '(body)' } } };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { refused: { status: 400, body: { error: `expected ${what} (a JSON object), got ${Array.isArray(parsed) ? 'an array' : JSON.stringify(parsed)}`, field: '(body)' } } };
    }
    return { value: parsed as Record<string, unknown> };
  };

  // The demo's checkout: what a store's commerce platform would receive from the cart, shown back.
  edge.route('GET', LOCAL_CHECKOUT_ROUTE, async (req) => {
    const query = new URL(req.url ?? '/', 'http://local').searchParams;
    const lines = (query.get('items') ?? '').split(',').filter(Boolean).slice(0, 100).map((item) => {
      const [sku = '', qty = ''] = item.split(':');
      return { sku, qty: /^\d{1,2}$/.test(qty) ? Number(qty) : Number.NaN };
    });
    const currency = /^[A-Z]{3}$/.test(query.get('currency') ?? '') ? query.get('currency')! : undefined;
    const bad = lines.find((l) => !/^[A-Za-z0-9._-]{1,50}$/.test(l.sku) || !(l.qty >= 1));
    const rows: string[] = [];
    let total = 0;
    for (const line of bad ? [] : lines) {
      const product = await services.catalog.get(line.sku);
      const unit = product && currency ? (activeSalePrice(product, currency, new Date()) ?? product.price[currency]) : undefined;
      if (unit !== undefined) total += unit * line.qty;
      rows.push(`<tr><td>${escapeUTF8(line.sku)}</td><td>${escapeUTF8(product?.title ?? '(unknown sku)')}</td><td>${line.qty}</td><td>${unit !== undefined ? (unit / 100).toFixed(2) : '—'}</td></tr>`);
    }
    const message = bad ? `expected items=SKU:QTY,… (a quantity from 1 to 99), got ${JSON.stringify(query.get('items') ?? '')}` : lines.length ? '' : 'The cart handed over no items.';
    const html = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>Checkout (local demo)</title></head>\n<body><main><h1>Checkout (local demo)</h1><p>A store's checkout receives this from the cart (set RESTATIC_CHECKOUT_URL to yours). Restatic stores nothing about the visitor.</p>${message ? `<p>${escapeUTF8(message)}</p>` : `<table><thead><tr><th>sku</th><th>product</th><th>quantity</th><th>unit price (${escapeUTF8(currency ?? '?')})</th></tr></thead><tbody>${rows.join('')}</tbody></table><p>Total: ${(total / 100).toFixed(2)} ${escapeUTF8(currency ?? '')}</p>`}</main></body></html>\n`;
    return { status: bad ? 400 : 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(html) };
  });

  edge.route('GET', '/_local/products/{sku}', async (_req, _body, params) => {
    const item = await services.catalog.getItem(params.sku!);
    return item ? { status: 200, body: item } : { status: 404, body: { error: `no product with sku "${params.sku}" in the table` } };
  });

  edge.route('PUT', '/_local/products/{sku}', async (_req, body, params) => {
    const fields = jsonObject(body, 'one product');
    return 'refused' in fields ? fields.refused : writeProduct(params.sku!, fields.value);
  });

  // RFC 7396: members of the patch replace the stored item's, `null` removes one; the result is validated whole.
  edge.route('PATCH', '/_local/products/{sku}', async (_req, body, params) => {
    const patch = jsonObject(body, 'a JSON merge patch of the product');
    if ('refused' in patch) return patch.refused;
    const stored = await services.catalog.getItem(params.sku!);
    if (!stored) return { status: 404, body: { error: `no product with sku "${params.sku}" to patch (PUT creates one)` } };
    return writeProduct(params.sku!, mergePatch.apply(structuredClone(stored), patch.value) as Record<string, unknown>);
  });

  edge.route('DELETE', '/_local/products/{sku}', async (_req, _body, params) => {
    const sku = params.sku!;
    // Deleting an absent item makes no record: expect one only for an item that is there.
    if (!(await services.catalog.getItem(sku))) return { status: 202, body: { accepted: true, sku, existed: false } };
    const written = await receipt(sku, () => services.catalog.delete(sku));
    return { status: 202, body: { accepted: true, sku, existed: true, ...written } };
  });

  edge.route('POST', '/_local/replay', async () => ({ status: 200, body: { replayed: await loop.replay() } }));

  // Renders PDFs on demand (`restatic pdfs`): body { "skus": [...] } or { "all": true }.
  edge.route('POST', '/_local/pdfs', async (_req: IncomingMessage, body: Buffer) => {
    if (!ctx.pdfs) return { status: 404, body: { error: 'PDFs are not enabled in this stack' } };
    let request: { skus?: unknown; all?: unknown };
    try {
      request = body.length ? JSON.parse(body.toString('utf8')) as typeof request : {};
    } catch (error) {
      return { status: 400, body: { error: `expected a JSON body like {"skus":["SKU-1"]} or {"all":true}: ${(error as Error).message}` } };
    }
    const skus = Array.isArray(request.skus) ? request.skus : [];
    const bad = skus.find((s) => typeof s !== 'string' || !/^[A-Za-z0-9._-]{1,50}$/.test(s));
    if (bad !== undefined) return { status: 400, body: { error: `expected skus of letters, digits, ".", "_" or "-" (1–50), got ${JSON.stringify(bad)}` } };
    if (!request.all && skus.length === 0) return { status: 400, body: { error: 'expected {"skus":[...]} or {"all":true}' } };
    const correlationId = randomUUID();
    const jobs: PdfJob[] = request.all
      ? [{ kind: 'content', entryId: '*', correlationId }]
      : [...(skus as string[]).map((sku) => ({ kind: 'sheet' as const, sku, correlationId })), { kind: 'catalog', correlationId }];
    // An unknown sku is reported as such; its job still runs, withdrawing any sheet it left behind.
    const unknown: string[] = [];
    for (const sku of skus as string[]) if (!(await services.catalog.getItem(sku))) unknown.push(sku);
    const result = await ctx.pdfs.runNow(jobs);
    const answer = { ...result, failed: result.failed.map((f) => ({ job: f.job, error: f.error.message })), ...(unknown.length ? { unknown } : {}) };
    if (unknown.length && unknown.length === skus.length) return { status: 404, body: { ...answer, error: `unknown SKU${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: no product with ${unknown.length > 1 ? 'these skus' : 'that sku'} in the table` } };
    return { status: result.failed.length ? 500 : 200, body: answer };
  });

  edge.route('POST', '/_local/feeds', async () => ({ status: 200, body: await ctx.runFeeds() }));

  edge.route('POST', '/_local/reconcile', async () => {
    const state = await readState(services.store, services.roots);
    if (!state) return { status: 409, body: { error: 'no site state yet: the first full build has not finished' } };
    const envelopes = await reconciliationEnvelopes({ catalog: services.catalog, logger }, state);
    for (const e of envelopes.slice(0, 1)) status.open({ kind: 'full-build', reason: 'reconcile' }, e.correlationId);
    await journal.send(envelopes);
    return { status: 202, body: { queued: envelopes.length, products: envelopes.length - 1, correlationId: envelopes[0]!.correlationId } };
  });
}
