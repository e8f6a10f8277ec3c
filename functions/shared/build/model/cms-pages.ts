/**
 * CMS pages (`/{slug}/`): the entry's rich-text body, in parts: runs of HTML, and the collections
 * it embeds, each shown in full (its products as listing cards) where the editor placed it.
 */
import type { ContentEntity, RichNode } from '../../content/types.js';
import { dep, type DepKey } from '../deps.js';
import { collectionSettings, resolveCollection, type CollectionView } from './collections.js';
import { earliest, type ModelContext } from './context.js';

/** A part of a page's body: HTML, or an embedded collection. */
export type BodyPart = { html: string } | { collection: CollectionView };

// A comment cannot come out of the renderer from editors' text (text is escaped): a safe marker.
const MARKER = /<!--restatic-collection:(\d+)-->/;

const isCollection = (entry: ContentEntity) => entry.sys.contentType?.sys.id === 'collection';

/** The ids of the entries a rich-text document embeds as blocks. */
function embeddedBlocks(node: RichNode | undefined, into: Set<string> = new Set()): Set<string> {
  if (!node || typeof node !== 'object') return into;
  const target = (node.data as { target?: { sys?: { id?: unknown } } } | undefined)?.target;
  if (node.nodeType === 'embedded-entry-block' && typeof target?.sys?.id === 'string') into.add(target.sys.id);
  if (Array.isArray(node.content)) for (const child of node.content) embeddedBlocks(child as RichNode, into);
  return into;
}

export function addCmsPages(ctx: ModelContext): void {
  for (const page of ctx.content.ofType('page')) {
    const url = ctx.urls.get(page.sys.id);
    if (!url) continue;
    const body = ctx.content.field<RichNode>(page, 'body');
    // Said once, where the page is listed (its data is made per run).
    for (const id of embeddedBlocks(body)) {
      const entry = ctx.content.entries.get(id);
      if (entry && isCollection(entry)) for (const problem of collectionSettings(ctx, entry).problems) ctx.warn(`entry ${id}`, problem.field, problem.message);
    }
    ctx.add(url, 'page', ctx.title(page), dep.entry(page.sys.id), () => {
      const deps = new Set<DepKey>([dep.entry(page.sys.id)]);
      const collections: CollectionView[] = [];
      let validUntil: number | undefined;
      const html = ctx.richText(body, deps, (entry) => {
        if (!isCollection(entry)) return undefined;
        const resolved = resolveCollection(ctx, entry, deps);
        validUntil = earliest([validUntil, resolved.validUntil]);
        collections.push(resolved.view);
        return `<!--restatic-collection:${collections.length - 1}-->`;
      });
      const parts: BodyPart[] = [];
      const pieces = html.split(MARKER);
      // split with a capture group: HTML, index, HTML, index, …, HTML.
      for (const [i, piece] of pieces.entries()) {
        if (i % 2 === 1) parts.push({ collection: collections[Number(piece)]! });
        else if (piece) parts.push({ html: piece });
      }
      return { data: { body: parts, alternates: ctx.alternates(dep.entry(page.sys.id)) }, deps, validUntil };
    });
  }
}
