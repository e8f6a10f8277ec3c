/**
 * Rich text → HTML with @contentful/rich-text-html-renderer, with real renderers for embedded
 * entries and assets and an allow-list of link schemes (a `javascript:` link renders as text).
 */
import { documentToHtmlString, type Options } from '@contentful/rich-text-html-renderer';
import { BLOCKS, INLINES, type Document } from '@contentful/rich-text-types';
import { escapeHtml } from '../build/html.js';
import type { ContentEntity, RichNode } from './types.js';

const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:', 'tel:']);

/** Whether a link target is safe to put in `href`: allow-listed scheme or a relative URL. */
export function isSafeHref(uri: string): boolean {
  const trimmed = uri.trim();
  // Browsers ignore embedded tabs/newlines in schemes ("java\tscript:"), so judge the squeezed form.
  const squeezed = trimmed.replace(/[\u0000-\u0020]+/g, '');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(squeezed)?.[1];
  if (scheme) return SAFE_SCHEMES.has(`${scheme.toLowerCase()}:`);
  return !squeezed.startsWith('//') || trimmed.startsWith('//');
}

/** What the renderer needs to know about the space: link resolution and where entries live. */
export interface RichTextContext {
  entry(id: string): ContentEntity | undefined;
  asset(id: string): ContentEntity | undefined;
  /** URL of an entry's page, or undefined when it has none. */
  urlOf(entry: ContentEntity): string | undefined;
  /** Display title of an entry. */
  titleOf(entry: ContentEntity): string;
  /** Localised field of an asset/entry. */
  field<T>(entity: ContentEntity, name: string): T | undefined;
  /** Records that the page being rendered depends on this entity (dependency index). */
  track(kind: 'entry' | 'asset', id: string): void;
  /** Renders an embedded entry block the page shows in full (a collection), or undefined for the default link. */
  embedBlock?(entry: ContentEntity): string | undefined;
}

function targetId(node: { data: Record<string, unknown> }): string | undefined {
  const target = node.data.target as { sys?: { id?: unknown } } | undefined;
  return typeof target?.sys?.id === 'string' ? target.sys.id : undefined;
}

/** Absolute-or-relative URL of an asset file (Contentful gives protocol-relative `//images...`). */
export function assetUrl(file: { url?: unknown } | undefined): string | undefined {
  if (typeof file?.url !== 'string') return undefined;
  return file.url.startsWith('//') ? `https:${file.url}` : file.url;
}

function renderAsset(ctx: RichTextContext, id: string | undefined): string {
  if (!id) return '';
  ctx.track('asset', id);
  const asset = ctx.asset(id);
  if (!asset) return '';
  const file = ctx.field<{ url?: string; contentType?: string; details?: { image?: { width?: number; height?: number } } }>(asset, 'file');
  const url = assetUrl(file);
  if (!url || !isSafeHref(url)) return '';
  const title = ctx.field<string>(asset, 'title') ?? '';
  const alt = ctx.field<string>(asset, 'description') ?? title;
  if (file?.contentType?.startsWith('image/')) {
    const size = file.details?.image;
    const dims = size?.width && size.height ? ` width="${size.width}" height="${size.height}"` : '';
    return `<figure class="rt-figure"><img src="${escapeHtml(url)}" alt="${escapeHtml(alt)}"${dims} loading="lazy" decoding="async">${title ? `<figcaption>${escapeHtml(title)}</figcaption>` : ''}</figure>`;
  }
  return `<p><a href="${escapeHtml(url)}">${escapeHtml(title || 'Download')}</a></p>`;
}

/** Renders a rich-text document; `undefined`/malformed input renders as an empty string. */
export function renderRichText(document: RichNode | undefined, ctx: RichTextContext): string {
  if (document?.nodeType !== 'document' || !Array.isArray(document.content)) return '';
  const options: Partial<Options> = {
    renderNode: {
      [INLINES.HYPERLINK]: (node, next) => {
        const uri = String(node.data.uri ?? '');
        const label = next(node.content);
        return isSafeHref(uri) ? `<a href="${escapeHtml(uri)}"${/^https?:/i.test(uri) ? ' rel="noopener"' : ''}>${label}</a>` : label;
      },
      [INLINES.ENTRY_HYPERLINK]: (node, next) => {
        const id = targetId(node);
        const label = next(node.content);
        if (!id) return label;
        ctx.track('entry', id);
        const entry = ctx.entry(id);
        const url = entry && ctx.urlOf(entry);
        return url ? `<a href="${escapeHtml(url)}">${label}</a>` : label;
      },
      [INLINES.ASSET_HYPERLINK]: (node, next) => {
        const id = targetId(node);
        const label = next(node.content);
        if (!id) return label;
        ctx.track('asset', id);
        const asset = ctx.asset(id);
        const url = asset && assetUrl(ctx.field(asset, 'file'));
        return url && isSafeHref(url) ? `<a href="${escapeHtml(url)}">${label}</a>` : label;
      },
      [INLINES.EMBEDDED_ENTRY]: (node) => {
        const id = targetId(node);
        if (!id) return '';
        ctx.track('entry', id);
        const entry = ctx.entry(id);
        if (!entry) return '';
        const url = ctx.urlOf(entry);
        const title = escapeHtml(ctx.titleOf(entry));
        return url ? `<a href="${escapeHtml(url)}">${title}</a>` : `<span>${title}</span>`;
      },
      [BLOCKS.EMBEDDED_ENTRY]: (node) => {
        const id = targetId(node);
        if (!id) return '';
        ctx.track('entry', id);
        const entry = ctx.entry(id);
        if (!entry) return '';
        const embedded = ctx.embedBlock?.(entry);
        if (embedded !== undefined) return embedded;
        const url = ctx.urlOf(entry);
        const title = escapeHtml(ctx.titleOf(entry));
        const kind = escapeHtml(entry.sys.contentType?.sys.id ?? 'entry');
        return `<aside class="rt-embed rt-embed--${kind}">${url ? `<a href="${escapeHtml(url)}">${title}</a>` : title}</aside>`;
      },
      [BLOCKS.EMBEDDED_ASSET]: (node) => renderAsset(ctx, targetId(node)),
      [BLOCKS.EMBEDDED_RESOURCE]: () => '',
    },
  };
  try {
    return documentToHtmlString(document as unknown as Document, options);
  } catch {
    // A malformed document from the CMS must not fail the whole build; the page renders without it.
    return '';
  }
}
