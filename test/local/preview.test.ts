/**
 * The private preview on the local stack: token rules, drafts shown there and never on the live
 * site (over random sequences of saves and publishes), coalesced auto-saves, `noindex` everywhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExportContentSource } from '../../functions/shared/adapters/contentful-export-source.js';
import type { ContentEntity } from '../../functions/shared/content/types.js';
import { silentLogger } from '../../functions/shared/logger.js';
import { signPreviewToken } from '../../functions/shared/preview/token.js';
import { readLocalConfig } from '../../local/config.js';
import { DEMO_SPACE_FILE } from '../../local/demo-space.js';
import { previewKeyOf } from '../../local/preview.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { cmaEntryFrom, signedWebhook } from '../fixtures/webhooks.js';

let stack: LocalStack;
let dataDir: string;
let key: string;
let exported: ContentEntity[];
let clock = Date.parse('2026-12-01T00:00:00Z');

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An entry as the CMA sends it, with its title set: a draft (auto_save) or a publish. */
async function send(entryId: string, title: string, action: 'auto_save' | 'publish') {
  clock += 1000;
  const request = signedWebhook(`Entry.${action}`, cmaEntryFrom(exported.find((e) => e.sys.id === entryId)!, title, clock));
  const response = await fetch(`${stack.url}${request.path}`, { method: 'POST', headers: request.headers, body: request.body });
  expect(response.status).toBe(202);
}

async function previewLink(entry: string): Promise<{ url: string; cookie: string }> {
  const link = await (await fetch(`${stack.url}/_local/preview-url`, { method: 'POST', body: JSON.stringify({ entry }) })).json() as { url: string };
  const opened = await fetch(link.url, { redirect: 'manual' });
  return { url: link.url, cookie: opened.headers.get('set-cookie')!.split(';')[0]! };
}

const postUrl = (entryId: string) => `/blog/${String(exported.find((e) => e.sys.id === entryId)!.fields.slug!['en-US'])}/`;

async function liveObjectsContaining(text: string): Promise<string[]> {
  const found: string[] = [];
  for await (const key of stack.services.store.list('')) {
    // Text a draft could reach: pages, sitemaps, feeds and their reports, the pipeline's state (not images, sheets or gzip).
    if (!/\.(html|xml|json|txt)$/.test(key)) continue;
    const object = await stack.services.store.get(key);
    if (object?.body.toString('utf8').includes(text)) found.push(key);
  }
  return found;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'restatic-preview-'));
  const config = readLocalConfig({ PORT: '0', RESTATIC_DATA_DIR: dataDir, DEMO_PRODUCTS: '24', LOG_LEVEL: 'silent' });
  stack = await startLocalStack(config, { logger: silentLogger, windowMs: 20, previewMinIntervalMs: 300 });
  key = previewKeyOf(config);
  exported = (await createExportContentSource(DEMO_SPACE_FILE).sync()).entries;
}, 180_000);

afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local stack: the private preview', () => {
  it('answers a missing token 401, a wrong or expired one 403, in words and noindex, and starts nothing for them', async () => {
    // Prepare
    const now = Math.floor(Date.now() / 1000);
    const wrong = signPreviewToken('w'.repeat(43), { expires: now + 600 });
    const expired = signPreviewToken(key, { expires: now - 1 });
    // Act
    const missing = await fetch(`${stack.url}/_preview/`);
    const forged = await fetch(`${stack.url}/_preview/?token=${wrong}`);
    const stale = await fetch(`${stack.url}/_preview/`, { headers: { cookie: `restatic_preview=${expired}` } });
    // Assess
    expect(missing.status).toBe(401);
    expect(forged.status).toBe(403);
    expect(stale.status).toBe(403);
    expect(await stale.text()).toContain('expired');
    expect(missing.headers.get('x-robots-tag')).toBe('noindex, nofollow');
    expect(stack.preview.active).toBe(false);
  });

  it('trades a link\'s token for a cookie, and serves every preview page noindex, uncached, with its links kept inside the preview', async () => {
    // Prepare
    const { cookie } = await previewLink('post-2');
    await stack.preview.idle();
    // Act
    const home = await fetch(`${stack.url}/_preview/`, { headers: { cookie } });
    const robots = await fetch(`${stack.url}/_preview/robots.txt`, { headers: { cookie } });
    const html = await home.text();
    // Assess
    expect(home.status).toBe(200);
    expect(home.headers.get('cache-control')).toBe('private, no-store');
    expect(home.headers.get('x-robots-tag')).toBe('noindex, nofollow');
    expect(html).toContain('<meta name="robots" content="noindex, nofollow">');
    expect(html).toContain('preview-banner');
    expect(html).toMatch(/href="\/_preview\/blog\/"/);
    // Every root-relative link stays in the preview, but the store's checkout (the cart hands over there).
    expect(html).not.toMatch(/(href|src|action)="\/(?!_preview\/|_local\/checkout")/);
    expect(await robots.text()).toBe('User-agent: *\nDisallow: /\n');
    expect(await (await fetch(`${stack.url}/`)).text()).not.toContain('noindex');
  });

  it('answers hostile requests with a valid token as it would without one getting anywhere: its state, paths out of it, other methods', async () => {
    // Prepare
    const { cookie } = await previewLink('post-2');
    await stack.preview.idle();
    const get = (path: string, init: RequestInit = {}) => fetch(`${stack.url}${path}`, { ...init, headers: { cookie }, redirect: 'manual' });
    // Act
    const state = await get('/_preview/_restatic/redirects.json');
    const traversal = await get('/_preview/%2e%2e/%2e%2e/etc/passwd');
    const badEscape = await get('/_preview/%E0%A4%A/');
    const post = await get('/_preview/', { method: 'POST', body: 'x' });
    const badEntry = await get('/_preview/open?entry=../../x');
    // Assess
    expect(state.status).toBe(404);
    // (URL parsing resolves the dot segments first: the request leaves the preview for the live site's 404.)
    expect(traversal.status).toBe(404);
    expect(badEscape.status).toBe(404);
    expect(post.status).toBe(405);
    expect(badEntry.status).toBe(400);
    for (const r of [state, badEscape, post, badEntry]) expect(r.headers.get('cache-control')).toBe('private, no-store');
  });

  it('shows an editor\'s auto-save in the preview (the link lands on its page) and never on the live site, until it is published', async () => {
    // Prepare
    const { url, cookie } = await previewLink('post-3');
    // Act
    await send('post-3', 'A Draft Nobody Should See Live', 'auto_save');
    const landed = await waitFor(async () => {
      const r = await fetch(url.replace(/&token=.*/, ''), { headers: { cookie }, redirect: 'manual' });
      return r.status === 302 ? r.headers.get('location') : undefined;
    });
    const previewPage = await (await fetch(`${stack.url}${landed}`, { headers: { cookie } })).text();
    await stack.loop.idle();
    const liveBefore = await (await fetch(`${stack.url}${postUrl('post-3')}`)).text();
    await send('post-3', 'A Draft Nobody Should See Live', 'publish');
    await stack.loop.idle();
    const liveAfter = await (await fetch(`${stack.url}${postUrl('post-3')}`)).text();
    // Assess
    expect(landed).toBe(`/_preview${postUrl('post-3')}`);
    expect(previewPage).toContain('A Draft Nobody Should See Live');
    expect(previewPage).toMatch(/Shows entry post-3 as saved \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; page built/);
    expect(liveBefore).not.toContain('A Draft Nobody Should See Live');
    expect(liveAfter).toContain('A Draft Nobody Should See Live');
    const status = await (await fetch(`${stack.url}/_status`)).json() as { preview: { entries: Array<{ entry: string; shownVersion?: string; builtAt?: string }>; compaction?: unknown } };
    expect(status.preview.entries.find((e) => e.entry === 'post-3')).toMatchObject({ shownVersion: expect.any(String), builtAt: expect.any(String) });
    // The preview's state has a compactor of its own, beside the live site's.
    expect(status.preview.compaction).toMatchObject({ running: expect.any(Boolean), runs: expect.any(Number) });
  });

  it.each([
    ['a CMS page', 'page-shipping', '/shipping/'],
    ['a category', 'category-tents', '/categories/tents/'],
  ])('opens the draft of %s from its link on the entry\'s own page', async (_label, entry, path) => {
    // Prepare
    const { url, cookie } = await previewLink(entry);
    // Act
    await send(entry, `Draft of ${entry}`, 'auto_save');
    const landed = await waitFor(async () => {
      const r = await fetch(url.replace(/&token=.*/, ''), { headers: { cookie }, redirect: 'manual' });
      return r.status === 302 ? r.headers.get('location') : undefined;
    });
    const page = await (await fetch(`${stack.url}${landed}`, { headers: { cookie } })).text();
    // Assess
    expect(landed).toBe(`/_preview${path}`);
    expect(page).toContain(`Draft of ${entry}`);
    expect(await (await fetch(`${stack.url}${path}`)).text()).not.toContain(`Draft of ${entry}`);
  });

  it('follows the catalog: a sale that ends at its instant shows the regular price in the preview too', async () => {
    // Prepare
    const { cookie } = await previewLink('post-2');
    await stack.preview.idle();
    const end = new Date(Date.now() + 3000).toISOString();
    // Act
    await fetch(`${stack.url}/_local/products/PREVIEW-SALE-1`, { method: 'PUT', body: JSON.stringify({ title: 'Preview Sale Lantern', description: 'Bright.', price: { USD: 5000 }, salePrice: { USD: 2500 }, saleEnd: end, availability: 'in_stock', category: 'headlamps' }) });
    const onSale = await waitFor(async () => {
      const html = await (await fetch(`${stack.url}/_preview/products/preview-sale-lantern/`, { headers: { cookie } })).text();
      return html.includes('$25.00') ? html : undefined;
    });
    const after = await waitFor(async () => {
      const html = await (await fetch(`${stack.url}/_preview/products/preview-sale-lantern/`, { headers: { cookie } })).text();
      return html.includes('$50.00') && !html.includes('$25.00') ? html : undefined;
    });
    // Assess
    expect(onSale).toContain('$25.00');
    expect(after).toContain('$50.00');
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(end));
  });

  it('coalesces a burst of auto-saves into a few runs, the last draft shown', async () => {
    // Prepare
    const { cookie } = await previewLink('post-6');
    await stack.preview.idle();
    const runsBefore = stack.preview.runs;
    // Act
    for (let i = 1; i <= 20; i++) await send('post-6', `Typing draft ${i}`, 'auto_save');
    await stack.preview.idle();
    const page = await (await fetch(`${stack.url}/_preview${postUrl('post-6')}`, { headers: { cookie } })).text();
    // Assess
    expect(page).toContain('Typing draft 20');
    expect(stack.preview.runs - runsBefore).toBeLessThanOrEqual(6);
  });

  it('never lets a draft reach the live bucket (pages, feeds, sitemaps) over random sequences of saves and publishes', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ entry: fc.constantFrom('post-4', 'post-5'), action: fc.constantFrom('auto_save' as const, 'publish' as const) }), { minLength: 1, maxLength: 5 }),
      async (steps) => {
        // Prepare: every title is new, so a draft's can be searched for
        const published = new Map<string, string>();
        const latest = new Map<string, string>();
        const drafts: string[] = [];
        // Act
        for (const step of steps) {
          const title = `Seq ${++n} ${step.action === 'publish' ? 'Published' : 'Draft'} Title`;
          await send(step.entry, title, step.action);
          latest.set(step.entry, title);
          if (step.action === 'publish') published.set(step.entry, title);
          else drafts.push(title);
        }
        await stack.loop.idle();
        await stack.preview.idle();
        // Assess: live shows the last publish, the preview the latest of all, no draft anywhere live
        const { cookie } = await previewLink('post-4');
        for (const [entry, title] of latest) {
          const live = await (await fetch(`${stack.url}${postUrl(entry)}`)).text();
          if (published.has(entry)) expect(live).toContain(published.get(entry));
          const shown = await (await fetch(`${stack.url}/_preview${postUrl(entry)}`, { headers: { cookie } })).text();
          expect(shown).toContain(title);
        }
        for (const title of drafts.filter((t) => ![...published.values()].includes(t))) expect(await liveObjectsContaining(title)).toEqual([]);
      },
    ), { numRuns: 4 });
  }, 180_000);
});
