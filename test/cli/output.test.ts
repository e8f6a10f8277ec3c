/**
 * What each CLI command prints, for a person and with --json, against a running local stack (the
 * remote commands) or a data directory of their own (seed, build).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readyMessage } from '../../cli/commands.js';
import { main } from '../../cli/main.js';
import { createOutput, table } from '../../cli/output.js';
import { readLocalConfig } from '../../local/config.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { silentLogger } from '../../functions/shared/logger.js';

let stack: LocalStack;
let dataDir: string;

/** Runs `restatic …argv` in this process with the given environment; what it wrote, by stream. */
async function run(argv: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  for (const [k, v] of Object.entries({ LOG_LEVEL: 'silent', ...env })) vi.stubEnv(k, v);
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { out.push(String(chunk)); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { err.push(String(chunk)); return true; });
  try {
    return { code: await main(argv), out: out.join(''), err: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
    vi.unstubAllEnvs();
  }
}

/** A port nothing listens on (taken, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const atStack = () => ({ PORT: new URL(stack.url).port, RESTATIC_DATA_DIR: dataDir });
/** A journal post of the demo space: no navigation or footer links it. */
const POST_2 = '/blog/choosing-your-first-tent/';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'restatic-cli-'));
  stack = await startLocalStack(readLocalConfig({ PORT: '0', RESTATIC_DATA_DIR: dataDir, DEMO_PRODUCTS: '30', LOG_LEVEL: 'silent' }), { logger: silentLogger, windowMs: 20 });
}, 180_000);

afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('restatic publish', () => {
  it('publishes a field change as a signed webhook and prints, for a person, the stages and the pages it rebuilt', async () => {
    // Act
    const result = await run(['publish', 'post-2', '--set', 'title=Notes from the Restatic crew'], atStack());
    // Assess
    expect(result.err).toContain('published post-2 (blogPost) version');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^entry post-2 \(Entry\.publish, saved \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)\n/);
    expect(result.out).toMatch(/stage +at +after/);
    expect(result.out).toMatch(/invalidated +\d\d:\d\d:\d\d\.\d{3} +\d+ ms/);
    expect(result.out).toMatch(/\d+ pages? rebuilt \(us \d+/);
    expect(result.out).toContain(`us  ${POST_2}`);
    expect(result.out).not.toContain('a full build');
    expect(await (await fetch(`${stack.url}${POST_2}`)).text()).toContain('Notes from the Restatic crew');
  });

  it('says so when a change is a full build\'s work: a page the navigation links, renamed', async () => {
    // Act
    const result = await run(['publish', 'page-about', '--set', 'title=About the Restatic crew'], atStack());
    // Assess
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^ {2}a full build: the site shell changed \(navigation, footer or site configuration\)\n {2}\d{3,} pages rebuilt/m);
    expect(await (await fetch(`${stack.url}/about/`)).text()).toContain('About the Restatic crew');
  });

  it('with --json prints one JSON document: the entry, the fields changed, and its finished status record', async () => {
    // Act
    const result = await run(['publish', 'category-fleece', '--set', 'title@de-DE=Fleece für Kalte Tage', '--json'], atStack());
    const body = JSON.parse(result.out) as { entry: string; changed: string[]; correlationId: string; status: { pagesByMarket: Record<string, number>; pages: Array<{ url: string }>; stages: Record<string, string> } };
    // Assess
    expect(result.code).toBe(0);
    expect(body.entry).toBe('category-fleece');
    expect(body.changed).toEqual(['title@de-DE']);
    expect(body.status.pagesByMarket.de).toBeGreaterThan(0);
    expect(body.status.pages).toContainEqual({ url: '/de/categories/fleece/', market: 'de' });
    expect(body.status.stages.invalidated).toBeDefined();
    expect(await (await fetch(`${stack.url}/de/categories/fleece/`)).text()).toContain('Fleece für Kalte Tage');
  });

  it('names an unknown entry (exit 1) and an unknown field in one line (exit 2)', async () => {
    // Act
    const entry = await run(['publish', 'page-nope', '--set', 'title=x'], atStack());
    const field = await run(['publish', 'page-about', '--set', 'colour=red'], atStack());
    // Assess
    expect(entry.code).toBe(1);
    expect(entry.err).toContain('unknown entry "page-nope"');
    expect(field.code).toBe(2);
    expect(field.err).toBe('restatic publish: Configuration --set: expected a field of page (title, slug, body), got "colour" for entry page-about\n');
  });
});

describe('restatic publish --draft and preview-url', () => {
  it('saves a draft that the live site never shows, and ends with a preview link that lands on its page', async () => {
    // Act
    const result = await run(['publish', 'post-2', '--set', 'title=A draft from the shell', '--draft'], atStack());
    const link = result.out.trim().split('\n').at(-1)!;
    await stack.preview.idle();
    const opened = await fetch(link, { redirect: 'manual' });
    const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
    const landed = await fetch(link.replace(/&token=.*/, ''), { headers: { cookie }, redirect: 'manual' });
    // Assess
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^saved a draft of post-2 \(blogPost\) version \d+: title\nthe live site is unchanged/);
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_preview\/open\?entry=post-2&token=v1\.\d+\.[\w-]+\.[0-9a-f]{64}$/);
    expect(landed.status).toBe(302);
    expect(await (await fetch(`${stack.url}${landed.headers.get('location')}`, { headers: { cookie } })).text()).toContain('A draft from the shell');
    expect(await (await fetch(`${stack.url}${landed.headers.get('location')!.replace('/_preview', '')}`)).text()).not.toContain('A draft from the shell');
  });

  it('preview-url: the expiry, the pattern for Contentful and the link last for a person; one JSON document with --json; --target aws signs with the given key', async () => {
    // Act
    const human = await run(['preview-url', 'post-2', '--ttl', '3600'], atStack());
    const json = await run(['preview-url', 'post-2', '--json'], atStack());
    const aws = await run(['preview-url', 'page-about', '--target', 'aws', '--json'], { RESTATIC_PREVIEW_KEY: 'k'.repeat(43), RESTATIC_PREVIEW_URL: 'https://d111.cloudfront.net/_preview/' });
    const awsWithoutKey = await run(['preview-url', 'page-about', '--target', 'aws'], { RESTATIC_PREVIEW_URL: 'https://d111.cloudfront.net/_preview/' });
    const lines = human.out.trim().split('\n');
    // Assess
    expect(human.code).toBe(0);
    expect(lines[0]).toMatch(/^preview of post-2, valid until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(lines[1]).toContain('/_preview/open?entry={entry.sys.id}&token=v1.');
    expect(lines.at(-1)).toMatch(/\/_preview\/open\?entry=post-2&token=v1\./);
    expect(JSON.parse(json.out)).toMatchObject({ entry: 'post-2', url: expect.stringContaining('/_preview/open?entry=post-2&token='), expires: expect.any(String) });
    expect(JSON.parse(aws.out)).toMatchObject({ url: expect.stringMatching(/^https:\/\/d111\.cloudfront\.net\/_preview\/open\?entry=page-about&token=v1\./) });
    expect(awsWithoutKey.code).toBe(2);
    expect(awsWithoutKey.err).toContain('RESTATIC_PREVIEW_KEY');
  });
});

describe('restatic feeds, pdfs, replay, rebuild --reconcile', () => {
  it('feeds: a table per target for a person, the job\'s summary with --json', async () => {
    // Act
    const human = await run(['feeds'], atStack());
    const json = await run(['feeds', '--json'], atStack());
    // Assess
    expect(human.code).toBe(0);
    expect(human.out.split('\n')[0]).toMatch(/^feed +items in +included +excluded +warnings +bytes +gzipped +published$/);
    expect(human.out).toMatch(/\/feeds\/google\/us\.xml +30 +\d+/);
    expect(human.out).toMatch(/\/feeds\/google\/de\.xml/);
    const body = JSON.parse(json.out) as { feeds: Array<{ target: string; itemsIn: number }> };
    expect(body.feeds.map((f) => [f.target, f.itemsIn])).toEqual([['us', 30], ['de', 30]]);
  });

  it('pdfs: a summary line and the sheets uploaded, the job\'s answer with --json', async () => {
    // Prepare
    const [product] = (await stack.services.catalog.scanAll()).products;
    // Act
    const human = await run(['pdfs', '--sku', product!.sku], atStack());
    const json = await run(['pdfs', '--sku', product!.sku, '--json'], atStack());
    // Assess
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^pdfs: \d+ rendered, \d+ uploaded, \d+ unchanged, 0 deleted, 0 failed, [\d.]+ s\n/);
    const body = JSON.parse(json.out) as { unchanged: string[]; failed: unknown[] };
    expect(body.failed).toEqual([]);
    expect(body.unchanged.length).toBeGreaterThan(0);
  });

  it('replay: a sentence for a person, the count with --json', async () => {
    // Act
    const human = await run(['replay'], atStack());
    const json = await run(['replay', '--json'], atStack());
    // Assess
    expect(human).toMatchObject({ code: 0, out: 'no dead-lettered changes to replay\n' });
    expect(JSON.parse(json.out)).toEqual({ replayed: 0 });
  });

  it('rebuild --reconcile: follows the run and shows its stages and counts, the status record with --json', async () => {
    // Act
    const human = await run(['rebuild', '--reconcile'], atStack());
    const json = await run(['rebuild', '--reconcile', '--json'], atStack());
    // Assess
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^full build \(reconcile\)\n/);
    expect(human.out).toMatch(/\d+ pages? rebuilt/);
    const body = JSON.parse(json.out) as { products: number; status: { source: { kind: string }; stages: Record<string, string> } };
    expect(body.products).toBe(0); // every write reached the pipeline through the stream: nothing differs
    expect(body.status.source.kind).toBe('full-build');
    expect(body.status.stages.built).toBeDefined();
  });
});

describe('restatic seed and build, on a data directory of their own', () => {
  it('seed and build: a sentence for a person, their results with --json', async () => {
    // Prepare
    const own = mkdtempSync(join(tmpdir(), 'restatic-cli-own-'));
    const env = { RESTATIC_DATA_DIR: own, PORT: String(await freePort()) }; // no edge there: nothing cached to invalidate
    try {
      // Act
      const seeded = await run(['seed', '--count', '5'], env);
      const again = await run(['seed', '--json'], env);
      const built = await run(['build'], env);
      const builtJson = await run(['build', '--json'], env);
      // Assess
      expect(built.err).not.toContain('restatic build:');
      expect(seeded).toMatchObject({ code: 0, out: 'seeded 5 demo products\n' });
      expect(JSON.parse(again.out)).toEqual({ seeded: 0, reason: 'products table is not empty' });
      expect(built.code).toBe(0);
      expect(built.out).toMatch(/^built \d+ pages from 5 products: \d+ uploaded/);
      const body = JSON.parse(builtJson.out) as { pages: number; products: number; uploaded: number; unchanged: number };
      expect(body.products).toBe(5);
      expect(body.uploaded).toBe(0); // nothing changed since the first build
      expect(body.unchanged).toBeGreaterThan(0);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('restatic start and serve: the ready message', () => {
  it('is the endpoint line and the ready line for a person, one JSON object with --json', () => {
    // Prepare
    const written: string[] = [];
    const stream = { write: (chunk: string) => { written.push(chunk); return true; } } as unknown as NodeJS.WritableStream;
    const ready = { url: 'http://127.0.0.1:8080', dynamoEndpoint: 'http://127.0.0.1:8000', table: 'products' };
    // Act
    readyMessage(createOutput(false, stream), ready);
    readyMessage(createOutput(true, stream), ready);
    // Assess
    expect(written[0]).toBe('local DynamoDB at http://127.0.0.1:8000 (table "products"): writes by any client reach the pipeline through its stream\nrestatic ready at http://127.0.0.1:8080\n');
    expect(JSON.parse(written[1]!)).toEqual(ready);
  });

  it('tables align columns and right-align numbers', () => {
    // Act
    const text = table(['feed', 'items'], [['us', 1000], ['de', 5]]);
    // Assess
    expect(text).toBe('feed  items\nus    1,000\nde        5');
  });
});
