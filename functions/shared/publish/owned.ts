/**
 * Publishing objects one job owns outright (the feeds): each object carries the sha256 of its bytes
 * in its own metadata and is uploaded only when that differs. No shared manifest is read or
 * written, so a job running in its own function (the feeds Lambda) never races the site build or
 * the rebuild worker over one file. Each upload is whole: S3 shows an object only once complete.
 */
import type { ObjectStore } from '../ports.js';
import type { PublishItem } from './publisher.js';

export interface OwnedPublishResult {
  uploaded: string[];
  unchanged: string[];
}

/** Uploads the items whose bytes changed, in order (so a report can follow the feed it describes). */
export async function publishOwned(store: ObjectStore, items: readonly PublishItem[]): Promise<OwnedPublishResult> {
  const result: OwnedPublishResult = { uploaded: [], unchanged: [] };
  for (const item of items) {
    const published = await store.metadata(item.key);
    if (published?.sha256 === item.hash) {
      result.unchanged.push(item.key);
      continue;
    }
    const meta = { contentType: item.meta?.contentType ?? 'application/octet-stream', cacheControl: item.meta?.cacheControl ?? 'no-cache', metadata: { ...item.meta?.metadata, sha256: item.hash } };
    if (Buffer.isBuffer(item.body)) await store.put(item.key, item.body, meta);
    else await store.putFile(item.key, item.body.file, meta);
    result.uploaded.push(item.key);
  }
  return result;
}
