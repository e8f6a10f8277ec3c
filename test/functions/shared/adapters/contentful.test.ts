/**
 * ContentSource adapters. The sync adapter runs the real contentful.js SDK against a local HTTP
 * server that replays CDA-shaped sync pages (paging, deletions, all locales): no network.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExportContentSource } from '../../../../functions/shared/adapters/contentful-export-source.js';
import { createContentfulSyncSource } from '../../../../functions/shared/adapters/contentful-sync-source.js';
import { ContentSnapshot } from '../../../../functions/shared/content/snapshot.js';
import { ContentError } from '../../../../functions/shared/errors.js';
import type { ContentEntity } from '../../../../functions/shared/content/types.js';

const cdaEntry = (id: string, revision: number, title: Record<string, string>): ContentEntity => ({
  sys: { id, type: 'Entry', revision, space: { sys: { type: 'Link', linkType: 'Space', id: 'sp' } }, contentType: { sys: { type: 'Link' as const, linkType: 'ContentType', id: 'page' } }, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' },
  fields: { title, slug: { 'en-US': id } },
});
const base = 'https://cdn.contentful.com/spaces/sp/environments/master/sync';

/** Recorded-shape sync pages keyed by the request's token. */
const PAGES: Record<string, object> = {
  initial: { sys: { type: 'Array' }, items: [cdaEntry('a', 1, { 'en-US': 'A', 'de-DE': 'A de' }), cdaEntry('b', 1, { 'en-US': 'B' })], nextPageUrl: `${base}?sync_token=page2` },
  page2: { sys: { type: 'Array' }, items: [cdaEntry('c', 1, { 'en-US': 'C' }), { sys: { id: 'img', type: 'Asset', revision: 1 }, fields: { title: { 'en-US': 'Img' } } }], nextSyncUrl: `${base}?sync_token=delta1` },
  delta1: { sys: { type: 'Array' }, items: [cdaEntry('a', 2, { 'en-US': 'A v2' }), { sys: { id: 'b', type: 'DeletedEntry', revision: 2 } }], nextSyncUrl: `${base}?sync_token=delta2` },
};

let server: Server;
let host: string;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url!);
    const url = new URL(req.url!, 'http://x');
    const token = url.searchParams.get('initial') === 'true' ? 'initial' : url.searchParams.get('sync_token') ?? '';
    const page = PAGES[token];
    res.writeHead(page ? 200 : 400, { 'content-type': 'application/vnd.contentful.delivery.v1+json' });
    res.end(JSON.stringify(page ?? { sys: { type: 'Error', id: 'BadRequest' }, message: `unknown token ${token}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('Contentful sync source (contentful.js against a replay server)', () => {
  it('pages through the initial sync, then applies a delta with an update and a deletion', async () => {
    // Prepare
    const source = createContentfulSyncSource({ space: 'sp', environment: 'master', accessToken: 'token-for-tests-0123456789', host, insecure: true });
    const snapshot = new ContentSnapshot([{ code: 'en-US', default: true }, { code: 'de-DE', fallbackCode: 'en-US' }]);
    // Act
    const initial = await source.sync();
    snapshot.apply(initial);
    const delta = await source.sync(initial.nextToken);
    snapshot.apply(delta);
    // Assess
    expect(initial).toMatchObject({ full: true, nextToken: 'delta1' });
    expect(initial.entries.map((e) => e.sys.id)).toEqual(['a', 'b', 'c']);
    expect(initial.assets.map((a) => a.sys.id)).toEqual(['img']);
    expect(delta).toMatchObject({ full: false, nextToken: 'delta2', deletedEntries: [{ sys: { id: 'b' } }] });
    expect([...snapshot.entries.keys()].sort()).toEqual(['a', 'c']);
    expect(snapshot.field(snapshot.entries.get('a')!, 'title')).toBe('A v2');
    expect(snapshot.field(snapshot.entries.get('c')!, 'title', 'de-DE')).toBe('C');
    expect(requests.some((r) => r.includes('initial=true'))).toBe(true);
  });

  it('never lets an older revision replace a newer one', () => {
    // Prepare
    const snapshot = new ContentSnapshot();
    const newer = cdaEntry('a', 5, { 'en-US': 'new' });
    const older = cdaEntry('a', 3, { 'en-US': 'old' });
    // Act
    snapshot.apply({ full: false, entries: [newer], assets: [], deletedEntries: [], deletedAssets: [], nextToken: '1' });
    snapshot.apply({ full: false, entries: [older], assets: [], deletedEntries: [], deletedAssets: [], nextToken: '2' });
    // Assess
    expect(snapshot.field(snapshot.entries.get('a')!, 'title')).toBe('new');
  });

  it('turns an API error into a retryable ContentError naming the space', async () => {
    // Prepare
    const source = createContentfulSyncSource({ space: 'sp', environment: 'master', accessToken: 'token-for-tests-0123456789', host, insecure: true });
    // Act
    const error = await source.sync('bogus').catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(ContentError);
    expect((error as Error).message).toContain('space sp/master');
  });
});

describe('Contentful export source', () => {
  const write = (content: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'restatic-export-')), 'export.json');
    writeFileSync(file, content);
    return file;
  };

  it.each([
    ['not JSON', '{ entries: [', 'is not valid JSON'],
    ['entries not an array', '{"entries": {}}', 'Expected "entries"'],
    ['entry without id', '{"entries": [{"sys": {}}]}', 'entry #0'],
    ['entry without content type', '{"entries": [{"sys": {"id": "x1"}, "fields": {}}]}', 'entry x1'],
  ])('refuses a malformed file (%s) with a message naming the file and entry', async (_label, content, message) => {
    // Prepare
    const file = write(content);
    // Act
    const error = await createExportContentSource(file).sync().catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(ContentError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toContain(file.split('/').pop());
  });

  it('reads the bundled demo space with its locales', async () => {
    // Act
    const source = createExportContentSource(new URL('../../../../functions/shared/demo/space.export.json', import.meta.url).pathname);
    const delta = await source.sync();
    // Assess
    expect(delta.full).toBe(true);
    expect(delta.entries.filter((e) => e.sys.contentType?.sys.id === 'category')).toHaveLength(20);
    expect((await source.locales()).map((l) => l.code)).toEqual(['en-US', 'de-DE']);
  });
});
