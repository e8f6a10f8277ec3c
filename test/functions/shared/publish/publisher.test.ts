/** Publishing against the manifest, on a real S3 protocol server (s3rver). */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createS3ObjectStore } from '../../../../functions/shared/adapters/s3-object-store.js';
import { sha256 } from '../../../../functions/shared/build/render.js';
import { ObjectStoreError } from '../../../../functions/shared/errors.js';
import { silentLogger } from '../../../../functions/shared/logger.js';
import type { Cdn, ObjectStore } from '../../../../functions/shared/ports.js';
import { HTML_CACHE, IMMUTABLE_CACHE, metaForKey } from '../../../../functions/shared/publish/headers.js';
import { planInvalidation } from '../../../../functions/shared/publish/invalidation.js';
import { LEGACY_MANIFEST_KEY, MANIFEST_KEY, ManifestStore, readManifest } from '../../../../functions/shared/publish/manifest.js';
import { Publisher, type PublishItem } from '../../../../functions/shared/publish/publisher.js';
import { freshBucket, s3Client } from '../../../fixtures/aws.js';

const item = (key: string, text: string): PublishItem => ({ key, body: Buffer.from(text), hash: sha256(text) });

/** Records calls so tests can assert what the publisher did to the store and the CDN. */
function recording(store: ObjectStore) {
  const calls = { put: [] as string[], get: [] as string[], list: 0, deleteMany: [] as string[][] };
  const invalidations: string[][] = [];
  const wrapped: ObjectStore = {
    put: (key, body, meta) => { calls.put.push(key); return store.put(key, body, meta); },
    putFile: (key, file, meta) => { calls.put.push(key); return store.putFile(key, file, meta); },
    get: (key) => { calls.get.push(key); return store.get(key); },
    head: (key) => { calls.get.push(key); return store.head(key); },
    metadata: (key) => { calls.get.push(key); return store.metadata(key); },
    deleteMany: (keys) => { calls.deleteMany.push([...keys]); return store.deleteMany(keys); },
    list: (prefix) => { calls.list++; return store.list(prefix); },
  };
  const cdn: Cdn = { invalidate: async (paths) => { invalidations.push([...paths]); return `inv-${invalidations.length}`; } };
  return { store: wrapped, cdn, calls, invalidations };
}

async function publish(store: ObjectStore, cdn: Cdn, items: PublishItem[], now = new Date('2026-11-20T00:00:00Z')) {
  const publisher = new Publisher({ store, cdn, logger: silentLogger }, await readManifest(store), now);
  await publisher.add(items);
  return publisher.finish({ prune: true });
}

async function newStore() {
  const client = s3Client();
  return createS3ObjectStore({ bucket: await freshBucket(client), client });
}

describe('Publisher', () => {
  const site = [item('assets/style-0123456789.css', 'body{}'), item('index.html', '<h1>home</h1>'), item('products/a/index.html', 'A'), item('products/b/index.html', 'B')];

  it('uploads everything once, then nothing when nothing changed: no LIST, no HEAD, no invalidation', async () => {
    // Prepare
    const r = recording(await newStore());
    await publish(r.store, r.cdn, site);
    r.calls.put.length = 0;
    r.calls.get.length = 0;
    // Act
    const second = await publish(r.store, r.cdn, site);
    // Assess
    expect(second.uploaded).toEqual([]);
    expect(second.unchanged).toBe(4);
    expect(r.calls.put).toEqual([]);
    // Only the manifest (its root and shards) is read: no object of the site is asked for.
    expect(r.calls.get.filter((k) => !k.startsWith('_restatic/manifest/'))).toEqual([]);
    expect(r.calls.get).toContain(MANIFEST_KEY);
    expect(r.calls.list).toBe(0);
    expect(r.invalidations).toHaveLength(1);
  });

  it('uploads only changed bytes, deletes what is gone and invalidates exactly those paths', async () => {
    // Prepare
    const r = recording(await newStore());
    await publish(r.store, r.cdn, site);
    r.calls.put.length = 0;
    // Act
    const result = await publish(r.store, r.cdn, [site[0]!, site[1]!, item('products/a/index.html', 'A2')]);
    // Assess
    expect(r.calls.put.filter((k) => !k.startsWith('_restatic/manifest/'))).toEqual(['products/a/index.html']);
    expect(r.calls.put.at(-1)).toBe(MANIFEST_KEY);
    expect(result.deleted).toEqual(['products/b/index.html']);
    expect(r.invalidations[1]).toEqual(['/products/a/index.html', '/products/b/index.html']);
    expect(await r.store.get('products/b/index.html')).toBeUndefined();
    const manifest = await readManifest(r.store);
    expect(manifest.generation).toBe(2);
    expect(manifest.entries['products/a/index.html']?.hash).toBe(sha256('A2'));
  });

  it('sets per-type headers: HTML short in browsers and long on the CDN, hashed assets immutable', async () => {
    // Prepare
    const store = await newStore();
    // Act
    await publish(store, recording(store).cdn, site);
    // Assess
    expect(await store.get('index.html')).toMatchObject({ contentType: 'text/html; charset=utf-8', cacheControl: HTML_CACHE });
    expect(await store.get('assets/style-0123456789.css')).toMatchObject({ contentType: 'text/css; charset=utf-8', cacheControl: IMMUTABLE_CACHE });
    expect(metaForKey('feeds/google/us.xml.gz').contentType).toBe('application/gzip');
    expect(metaForKey('sitemap.xml').contentType).toBe('application/xml; charset=utf-8');
    expect(metaForKey('pdf/catalog.pdf').contentType).toBe('application/pdf');
  });

  it('keeps retired hashed assets for a grace period, then deletes them', async () => {
    // Prepare
    const r = recording(await newStore());
    await publish(r.store, r.cdn, site);
    const withoutCss = site.slice(1);
    // Act
    const soon = await publish(r.store, r.cdn, withoutCss, new Date('2026-11-21T00:00:00Z'));
    const keptForCachedPages = await r.store.get('assets/style-0123456789.css');
    const later = await publish(r.store, r.cdn, withoutCss, new Date('2026-12-01T00:00:00Z'));
    // Assess
    expect(soon.deleted).toEqual([]);
    expect(keptForCachedPages).toBeDefined();
    expect(later.deleted).toEqual(['assets/style-0123456789.css']);
    expect(await r.store.get('assets/style-0123456789.css')).toBeUndefined();
  });

  it('converges when a run dies between uploads and the manifest write', async () => {
    // Prepare: the first run uploads but "crashes" before finish()
    const r = recording(await newStore());
    await publish(r.store, r.cdn, site);
    const changed = [site[0]!, item('index.html', '<h1>new home</h1>'), site[2]!, site[3]!];
    const crashed = new Publisher({ store: r.store, cdn: r.cdn, logger: silentLogger }, await readManifest(r.store));
    await crashed.add(changed);
    // Act: the next run publishes the same state
    const next = await publish(r.store, r.cdn, changed);
    // Assess: it re-uploads (the live manifest never learnt of it) and invalidates, so nothing is lost
    expect(next.uploaded).toEqual(['index.html']);
    expect(next.invalidation?.paths).toEqual(['/index.html']);
    expect((await r.store.get('index.html'))?.body.toString()).toBe('<h1>new home</h1>');
  });

  it('leaves the live site intact when S3 fails (after the SDK\'s own retries), and the next publish converges', async () => {
    // Prepare
    const real = await newStore();
    await publish(real, recording(real).cdn, site);
    let failures = 1;
    const flaky: ObjectStore = {
      ...real,
      get: real.get, head: real.head, list: real.list, deleteMany: real.deleteMany,
      put: async (key, body, meta) => {
        if (key.endsWith('a/index.html') && failures-- > 0) throw new ObjectStoreError('S3 PUT failed: SlowDown', { retryable: true });
        return real.put(key, body, meta);
      },
    };
    const next = [site[0]!, site[1]!, item('products/a/index.html', 'A3'), site[3]!];
    // Act
    const failed = await publish(flaky, recording(real).cdn, next).catch((e: unknown) => e);
    const manifestAfterFailure = await readManifest(real);
    const again = await publish(flaky, recording(real).cdn, next);
    // Assess
    expect(failed).toBeInstanceOf(ObjectStoreError);
    expect((failed as ObjectStoreError).retryable).toBe(true);
    expect(manifestAfterFailure.entries['products/a/index.html']?.hash).not.toBe(next[2]!.hash);
    expect(again.uploaded).toEqual(['products/a/index.html']);
    expect((await real.get('index.html'))?.body.toString()).toBe('<h1>home</h1>');
    expect((await readManifest(real)).entries['products/b/index.html']).toBeDefined();
  });
});

describe('ManifestStore', () => {
  it('reads the manifest once for a warm worker, commits only the shards a publish changed, and re-reads after another writer', async () => {
    // Prepare: a manifest of many keys, in four shards (1,600 entries a shard: 3,300 keys are the fewest PUTs that make four)
    const r = recording(await newStore());
    const many = Array.from({ length: 3300 }, (_, i) => item(`products/p${i}/index.html`, `P${i}`));
    await publish(r.store, r.cdn, many);
    let reads = 0;
    const manifests = new ManifestStore({ ...r.store, get: (key) => { if (key.startsWith('_restatic/manifest/')) reads++; return r.store.get(key); } });
    const first = await manifests.read();
    const readsOfFirst = reads;
    r.calls.put.length = 0;
    // Act
    const publisher = new Publisher({ store: r.store, cdn: r.cdn, logger: silentLogger, manifests }, first);
    await publisher.add([item('products/p7/index.html', 'changed')]);
    await publisher.finish({ prune: false });
    const putsOfOwn = [...r.calls.put];
    const afterOwn = await manifests.read();
    const readsAfterOwn = reads;
    // What a fan-out shard reads: the entries of its keys, the segment's over the shards'.
    const looked = await new ManifestStore(r.store).entriesFor(['products/p7/index.html', 'products/p8/index.html', 'nope.html']);
    await publish(r.store, r.cdn, [...many.slice(0, 7), item('products/p7/index.html', 'other writer')]);
    const afterOther = await manifests.read();
    // Assess
    expect(readsOfFirst).toBe(5); // the root and its four shards
    expect(putsOfOwn).toEqual(['products/p7/index.html', expect.stringMatching(/^_restatic\/manifest\/segments\//), MANIFEST_KEY]);
    expect(readsAfterOwn).toBe(readsOfFirst);
    expect(afterOwn.entries['products/p7/index.html']?.hash).toBe(sha256('changed'));
    expect(Object.keys(looked).sort()).toEqual(['products/p7/index.html', 'products/p8/index.html']);
    expect(looked['products/p7/index.html']?.hash).toBe(sha256('changed'));
    expect(looked['products/p8/index.html']?.hash).toBe(sha256('P8'));
    expect(afterOther.entries['products/p7/index.html']?.hash).toBe(sha256('other writer'));
    expect(Object.keys(afterOther.entries)).toHaveLength(8);
  }, 90_000);
});

describe('manifest format', () => {
  it('reads the single-object manifest of format 1 and replaces it on the first publish', async () => {
    // Prepare: a site published with the old single-object manifest
    const site = [item('index.html', '<h1>home</h1>'), item('about/index.html', 'About'), item('products/a/index.html', 'A'), item('products/b/index.html', 'B')];
    const r = recording(await newStore());
    await publish(r.store, r.cdn, site);
    const old = await readManifest(r.store);
    const partitioned: string[] = [];
    for await (const key of r.store.list('_restatic/manifest/')) partitioned.push(key);
    await r.store.deleteMany(partitioned);
    await r.store.put(LEGACY_MANIFEST_KEY, gzipSync(JSON.stringify(old)), { contentType: 'application/gzip', cacheControl: 'no-store' });
    r.calls.put.length = 0;
    // Act
    const next = await publish(r.store, r.cdn, [site[0]!, site[1]!, item('products/a/index.html', 'A2'), site[3]!]);
    // Assess: only the changed page uploaded (the old manifest was read), then the new manifest replaced it
    expect(next.uploaded).toEqual(['products/a/index.html']);
    expect(await r.store.head(LEGACY_MANIFEST_KEY)).toBeUndefined();
    expect((await readManifest(r.store)).entries['products/a/index.html']?.hash).toBe(sha256('A2'));
  });
});

describe('planInvalidation', () => {
  it('invalidates object paths (the cache keys after the viewer-request rewrite), skipping hashed assets and state', () => {
    const plan = planInvalidation(['index.html', 'blog/x/index.html', 'sitemap.xml', 'assets/app-0123456789.js', '_restatic/manifest.json.gz'], 's');
    expect(plan?.paths).toEqual(['/blog/x/index.html', '/index.html', '/sitemap.xml']);
  });

  it('collapses to per-section wildcards above the path budget, and to /* above 15 sections', () => {
    const many = Array.from({ length: 800 }, (_, i) => `products/p${i}/index.html`);
    expect(planInvalidation([...many, 'sitemap.xml'], 's')?.paths).toEqual(['/sitemap.xml', '/products/*']);
    const sections = Array.from({ length: 600 }, (_, i) => `s${i % 20}/p${i}/index.html`);
    expect(planInvalidation(sections, 's')?.paths).toEqual(['/*']);
  });

  it('is deterministic: the same change gives the same caller reference', () => {
    expect(planInvalidation(['a.html'], 'g1')?.callerReference).toBe(planInvalidation(['a.html'], 'g1')?.callerReference);
    expect(planInvalidation(['a.html'], 'g1')?.callerReference).not.toBe(planInvalidation(['a.html'], 'g2')?.callerReference);
    expect(planInvalidation([], 'g1')).toBeUndefined();
  });
});

describe('a targeted publish through a warm ManifestStore', () => {
  /** A live site of 300 objects, and a store whose next root write fails when told to. */
  async function liveSite() {
    const inner = await newStore();
    let failRoots = false;
    const store: ObjectStore = { ...inner, put: (key, body, meta) => (failRoots && key.includes('manifest/root') ? Promise.reject(new ObjectStoreError(`S3 PUT of "${key}" failed: injected`, { retryable: true })) : inner.put(key, body, meta)) };
    const cdn: Cdn = { invalidate: async () => 'inv' };
    await publish(store, cdn, Array.from({ length: 300 }, (_, i) => item(`p/${i}/index.html`, `page ${i}`)));
    const manifests = new ManifestStore(store);
    return { store, cdn, manifests, failRoots: (on: boolean) => { failRoots = on; } };
  }

  it('commits only its changes, and the manifest the store hands the next run equals a fresh read', async () => {
    // Prepare
    const { store, cdn, manifests } = await liveSite();
    const publisher = new Publisher({ store, cdn, logger: silentLogger, manifests }, await manifests.read());
    // Act
    await publisher.add([item('p/1/index.html', 'page 1, repriced'), item('p/new/index.html', 'new')]);
    publisher.remove(['p/2/index.html']);
    const result = await publisher.finish({ prune: false });
    const next = await manifests.read();
    // Assess
    expect(result.uploaded).toEqual(['p/1/index.html', 'p/new/index.html']);
    expect(next).toBe(result.manifest);
    expect(next.entries['p/1/index.html']!.hash).toBe(sha256('page 1, repriced'));
    expect(next.entries['p/2/index.html']).toBeUndefined();
    expect(Object.keys(next.entries)).toHaveLength(300);
    expect(await new ManifestStore(store).read()).toEqual(next);
  });

  it('leaves the live manifest exactly as it was when its commit fails', async () => {
    // Prepare
    const { store, cdn, manifests, failRoots } = await liveSite();
    const live = await manifests.read();
    const before = structuredClone(live);
    const publisher = new Publisher({ store, cdn, logger: silentLogger, manifests }, live);
    await publisher.add([item('p/1/index.html', 'page 1, repriced')]);
    publisher.remove(['p/2/index.html']);
    failRoots(true);
    // Act
    const failed = await publisher.finish({ prune: false }).catch((error: unknown) => error);
    // Assess
    expect(failed).toBeInstanceOf(ObjectStoreError);
    expect(live).toEqual(before);
    expect(await manifests.read()).toEqual(before);
  });
});
