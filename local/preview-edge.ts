/**
 * The private preview at `/_preview/…` on the local edge (in AWS its own distribution, whose
 * CloudFront Function applies the same token rule: infra/lib/preview-viewer-request.js). Every
 * request needs a valid preview token, from a link (`?token=`, traded for a cookie) or the cookie;
 * nothing is cached, and everything says noindex. `/_preview/open?entry=ID` lands on the page
 * showing the entry once the preview has built its latest draft (until then a page that reloads
 * itself). Locally the preview shares the live site's host, so its pages' root-relative links are
 * kept inside `/_preview/`; spec sheets come from the live site (drafts never reach PDFs).
 */
import type { IncomingMessage } from 'node:http';
import type { Market } from '../functions/shared/markets/markets.js';
import type { ObjectStore, StoredObject } from '../functions/shared/ports.js';
import { noticeFor, openPreview, previewNotice } from '../functions/shared/preview/open.js';
import { PREVIEW_ROOT, previewCookie, requestPreviewToken, verifyPreviewToken } from '../functions/shared/preview/token.js';
import { readRedirects } from '../functions/shared/publish/redirects.js';
import type { MountHandler } from './edge-server.js';
import type { LocalPreview } from './preview.js';

export const PREVIEW_PREFIX = PREVIEW_ROOT.slice(0, -1);

type Response = Awaited<ReturnType<MountHandler>>;

export interface PreviewEdgeDeps {
  key: string;
  preview: LocalPreview;
  previewStore: ObjectStore;
  /** The live bucket: spec sheets (never built from drafts) come from there. */
  liveStore: ObjectStore;
  markets: readonly Market[];
  /** Epoch seconds. */
  now?: () => number;
}

const PRIVATE = { 'cache-control': 'private, no-store', 'x-robots-tag': 'noindex, nofollow', 'referrer-policy': 'same-origin' };

const html = (status: number, text: string, headers: Record<string, string> = {}): Response => ({ status, headers: { 'content-type': 'text/html; charset=utf-8', ...PRIVATE, ...headers }, body: Buffer.from(text) });
const page = (status: number, title: string, text: string, headers: Record<string, string> = {}) => html(status, previewNotice(title, text), headers);

/** Root-relative links of a preview page stay in the preview (it shares the live site's host here). */
export function keepLinksInPreview(html: string): string {
  return html.replace(/\b(href|src|action)="\/(?!\/|_preview\/|_local\/)/g, `$1="${PREVIEW_ROOT}`);
}

export function previewEdge(deps: PreviewEdgeDeps): MountHandler {
  const now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  const otherPrefixes = deps.markets.filter((m) => m.prefix !== '/').map((m) => m.prefix);

  const serve = async (object: StoredObject, status = 200): Promise<Response> => {
    const html = object.contentType.startsWith('text/html');
    const body = html ? Buffer.from(keepLinksInPreview(object.body.toString('utf8'))) : object.body;
    return { status, headers: { 'content-type': object.contentType, ...PRIVATE }, body };
  };

  return async (req: IncomingMessage, url: URL) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, headers: { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8', ...PRIVATE }, body: Buffer.from('Method not allowed\n') };
    const path = url.pathname === PREVIEW_PREFIX ? PREVIEW_ROOT : url.pathname;
    const { token, fromQuery } = requestPreviewToken(url.searchParams, req.headers.cookie);
    const verdict = verifyPreviewToken(deps.key, token, path, now());
    if (!verdict.ok) return page(verdict.reason === 'missing' ? 401 : 403, 'This preview is private', verdict.message);
    deps.preview.activate();
    const cookie: Record<string, string> = fromQuery ? { 'set-cookie': previewCookie(token!, verdict.expires, now(), false) } : {};

    if (path === `${PREVIEW_ROOT}open`) {
      // Here the latest draft is what a webhook brought: caught up once its run has ended.
      const decision = await openPreview({ state: () => deps.preview.state(), caughtUp: async (entry) => !deps.preview.receipt(entry)?.pending, otherPrefixes }, url.searchParams.get('entry'));
      if (decision.kind === 'page') return { status: 302, headers: { location: `${PREVIEW_PREFIX}${encodeURI(decision.url)}`, ...PRIVATE, ...cookie }, body: Buffer.alloc(0) };
      const notice = noticeFor(decision);
      return html(notice.status, notice.html, cookie);
    }
    // The token leaves the address bar (and the Referer of what the page loads) for the cookie.
    if (fromQuery) {
      const rest = new URLSearchParams(url.searchParams);
      rest.delete('token');
      const query = rest.toString();
      return { status: 302, headers: { location: `${path}${query ? `?${query}` : ''}`, ...PRIVATE, ...cookie }, body: Buffer.alloc(0) };
    }

    if (!(await deps.preview.state())) return html(200, previewNotice('Building the preview…', 'The preview site is being built. This page reloads itself until it is ready.', true));
    let sitePath: string;
    try {
      sitePath = decodeURIComponent(path.slice(PREVIEW_PREFIX.length));
    } catch {
      sitePath = '/\0';
    }
    if (sitePath.includes('\0') || /(^|\/)\.\.?(\/|$)/.test(sitePath) || sitePath.startsWith('/_restatic/')) return notFound();
    const redirect = (await readRedirects(deps.previewStore))[sitePath];
    if (redirect) return { status: 301, headers: { location: `${PREVIEW_PREFIX}${redirect}`, ...PRIVATE }, body: Buffer.alloc(0) };
    const key = sitePath.endsWith('/') ? `${sitePath.slice(1)}index.html` : sitePath.slice(1);
    const store = /^(\w+\/)?pdf\//.test(key) ? deps.liveStore : deps.previewStore;
    const object = key ? await store.get(key) : undefined;
    if (object) return serve(object);
    if (!sitePath.endsWith('/') && (await deps.previewStore.get(`${key}/index.html`))) return { status: 301, headers: { location: `${path}/`, ...PRIVATE }, body: Buffer.alloc(0) };
    return notFound();

    async function notFound(): Promise<Response> {
      const market = otherPrefixes.find((p) => sitePath.startsWith(p));
      const missing = (market ? await deps.previewStore.get(`${market.slice(1)}404.html`) : undefined) ?? await deps.previewStore.get('404.html');
      return missing ? serve(missing, 404) : page(404, 'Not found', `Nothing in the preview at ${sitePath}.`);
    }
  };
}
