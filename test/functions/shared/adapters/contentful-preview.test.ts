/**
 * The Content Preview API source: contentful.js against a local server answering the CPA's
 * entries and assets collections (paged, all locales). No Sync API there: deltas are made by
 * comparing listings.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContentfulPreviewSource } from '../../../../functions/shared/adapters/contentful-preview-source.js';

const entry = (id: string, updatedAt: string, title: string) => ({
  sys: { id, type: 'Entry', version: 3, updatedAt, createdAt: '2026-01-01T00:00:00Z', space: { sys: { type: 'Link', linkType: 'Space', id: 'sp' } }, contentType: { sys: { type: 'Link', linkType: 'ContentType', id: 'page' } } },
  fields: { title: { 'en-US': title } },
});

let server: Server;
let host: string;
let entries = [entry('a', '2026-12-01T10:00:00Z', 'A'), entry('b', '2026-12-01T10:00:00Z', 'B'), entry('c', '2026-12-01T10:00:00Z', 'C')];
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url!);
    const url = new URL(req.url!, 'http://x');
    const skip = Number(url.searchParams.get('skip') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 100);
    const id = url.searchParams.get('sys.id');
    const all = url.pathname.endsWith('/entries') ? entries.filter((e) => !id || e.sys.id === id) : url.pathname.endsWith('/assets') ? [] : undefined;
    res.writeHead(all ? 200 : 404, { 'content-type': 'application/vnd.contentful.delivery.v1+json' });
    res.end(JSON.stringify(all ? { sys: { type: 'Array' }, total: all.length, skip, limit, items: all.slice(skip, skip + limit) } : { sys: { type: 'Error', id: 'NotFound' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('Contentful preview source (contentful.js against a local CPA)', () => {
  it('lists the whole space page by page, then answers its own token with what changed and what is gone', async () => {
    // Prepare
    const source = createContentfulPreviewSource({ space: 'sp', environment: 'master', accessToken: 'preview-token-0123456789', host, insecure: true, limit: 2 });
    // Act
    const first = await source.sync();
    entries = [entry('a', '2026-12-01T10:05:00Z', 'A draft'), entry('c', '2026-12-01T10:00:00Z', 'C')];
    const second = await source.sync(first.nextToken);
    const stranger = await source.sync('preview:another-process');
    // Assess
    expect(first).toMatchObject({ full: true });
    expect(first.entries.map((e) => e.sys.id)).toEqual(['a', 'b', 'c']);
    expect(second.full).toBe(false);
    expect(second.entries.map((e) => [e.sys.id, e.fields.title!['en-US']])).toEqual([['a', 'A draft']]);
    expect(second.deletedEntries.map((d) => [d.sys.id, d.sys.type])).toEqual([['b', 'DeletedEntry']]);
    expect(stranger.full).toBe(true);
    expect(await source.entryVersion('a')).toBe(String(Date.parse('2026-12-01T10:05:00Z')));
    expect(await source.entryVersion('gone')).toBeUndefined();
    expect(requests.filter((r) => r.includes('/entries')).every((r) => new URL(r, 'http://x').searchParams.get('locale') === '*')).toBe(true);
  });
});
