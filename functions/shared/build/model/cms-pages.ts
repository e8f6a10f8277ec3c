/** CMS pages (`/{slug}/`): the entry's rich-text body. */
import { dep, type DepKey } from '../deps.js';
import type { ModelContext } from './context.js';

export function addCmsPages(ctx: ModelContext): void {
  for (const page of ctx.content.ofType('page')) {
    const url = ctx.urls.get(page.sys.id);
    if (!url) continue;
    ctx.add(url, 'page', ctx.title(page), dep.entry(page.sys.id), () => {
      const deps = new Set<DepKey>([dep.entry(page.sys.id)]);
      return { data: { bodyHtml: ctx.richText(ctx.content.field(page, 'body'), deps), alternates: ctx.alternates(dep.entry(page.sys.id)) }, deps };
    });
  }
}
