/**
 * Renders page specs through Eleventy's programmatic API, entirely in memory (`toJSON`): no output
 * directory, no disk writes. Used in-process for targeted rebuilds and inside each worker of the
 * render pool for full builds.
 */
import { sha256 } from '../hash.js';
import { Eleventy, type EleventyResult, type EleventyUserConfig } from '@11ty/eleventy';
import { RenderError } from '../errors.js';
import { SITE_DIR } from './site-dir.js';
import type { PageSpec, SiteModel } from './site-model.js';

export { SITE_DIR } from './site-dir.js';

/** What every page needs besides its own spec. */
export interface RenderContext {
  /** Each market's shell, by market id: a page renders in its market's (`spec.market`). */
  sites: SiteModel['sites'];
  /** URL of the content-hashed stylesheet. */
  css: string;
  /** URL of the content-hashed cart script (pages load it where the store has a checkout). */
  js?: string;
  /** URL of the content-hashed site icon. */
  icon?: string;
  /** URL of the content-hashed search script (the search page loads it). */
  search?: string;
}

/** One rendered output. */
export interface RenderedPage {
  url: string;
  key: string;
  body: Buffer;
  /** sha256 of `body`, hex. */
  hash: string;
}

export { sha256 } from '../hash.js';

/**
 * The Eleventy configuration of the site: one JS template (`site/pages.11ty.js`) paginating over
 * the page specs. The bench's plain-Eleventy baseline uses it too, so both render the same site.
 */
export function configureSite(config: EleventyUserConfig, data: RenderContext & { pages: readonly PageSpec[]; renderedAt?: string }): void {
  config.setTemplateFormats(['11ty.js']);
  config.ignores.add('assets/**');
  config.ignores.add('lib/**');
  config.addGlobalData('restatic', data);
}

/**
 * Renders the given pages. Fails with RenderError naming the page when Eleventy throws or when a
 * page produced no output.
 */
export async function renderPages(pages: readonly PageSpec[], context: RenderContext): Promise<RenderedPage[]> {
  if (pages.length === 0) return [];
  const eleventy = new Eleventy(SITE_DIR, undefined, {
    quietMode: true,
    // When the pages were made: the preview's receipt shows it (live templates never do).
    config: (config) => configureSite(config, { ...context, pages, renderedAt: new Date().toISOString().replace('T', ' ').slice(0, 19) }),
  });
  let results: EleventyResult[];
  try {
    results = await eleventy.toJSON();
  } catch (error) {
    // The page that failed, as the template names it somewhere in the cause chain.
    const messages: string[] = [];
    // Eleventy keeps what it wrapped in `originalError`; standard errors use `cause`.
    for (let e: unknown = error; e instanceof Error && messages.length < 8; e = (e as { originalError?: unknown }).originalError ?? e.cause) messages.push(e.message);
    const page = messages.map((m) => /page (\/\S*) \(layout [\w-]+\)/.exec(m)).find(Boolean);
    const what = page ? `page ${page[1]}` : `${pages.length} page(s) starting at ${pages[0]!.url}`;
    throw new RenderError(`Eleventy failed rendering ${what}: ${messages.at(-1) ?? String(error)}`, { cause: error });
  }
  const byUrl = new Map(results.map((r) => [r.url, r.content]));
  return pages.map((spec) => {
    const content = byUrl.get(spec.url);
    if (content === undefined) throw new RenderError(`Expected Eleventy to render ${spec.url} (${spec.layout}), but it produced no output`);
    const body = Buffer.from(content, 'utf8');
    return { url: spec.url, key: spec.key, body, hash: sha256(body) };
  });
}
