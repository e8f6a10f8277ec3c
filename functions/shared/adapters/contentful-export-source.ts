/**
 * ContentSource over a `contentful-export` JSON file (CMA shape, all locales): the bundled demo
 * space, or an export of a real space for offline builds. Every sync returns the whole file.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ContentError } from '../errors.js';
import type { ContentDelta, ContentSource } from '../ports.js';
import type { ContentEntity, ContentfulExport, LocaleDef } from '../content/types.js';

/** Parses and checks an export document; errors name the file and the offending entity. */
export function parseExport(text: string, file: string): ContentfulExport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ContentError(`Expected ${file} to be a contentful-export JSON file, but it is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ContentError(`Expected ${file} to hold a JSON object with entries, assets and locales`);
  const doc = data as Record<string, unknown>;
  for (const key of ['entries', 'assets', 'locales'] as const) {
    if (doc[key] !== undefined && !Array.isArray(doc[key])) throw new ContentError(`Expected "${key}" in ${file} to be an array, got ${typeof doc[key]}`);
  }
  const check = (items: unknown[], kind: 'Entry' | 'Asset'): ContentEntity[] =>
    items.map((item, i) => {
      const entity = item as Partial<ContentEntity>;
      if (typeof entity?.sys?.id !== 'string' || entity.sys.id === '') throw new ContentError(`Expected ${kind.toLowerCase()} #${i} in ${file} to have a sys.id, got ${JSON.stringify(entity?.sys ?? null)}`);
      if (entity.fields !== undefined && (typeof entity.fields !== 'object' || entity.fields === null)) throw new ContentError(`Expected ${kind.toLowerCase()} ${entity.sys.id} in ${file} to have an object "fields"`);
      if (kind === 'Entry' && typeof entity.sys.contentType?.sys?.id !== 'string') throw new ContentError(`Expected entry ${entity.sys.id} in ${file} to name its content type (sys.contentType.sys.id)`);
      return { sys: { ...entity.sys, type: kind }, fields: entity.fields ?? {} } as ContentEntity;
    });
  const locales = ((doc.locales as LocaleDef[] | undefined) ?? []).filter((l) => typeof l?.code === 'string');
  return {
    ...(Array.isArray(doc.contentTypes) ? { contentTypes: doc.contentTypes as unknown[] } : {}),
    entries: check((doc.entries as unknown[]) ?? [], 'Entry'),
    assets: check((doc.assets as unknown[]) ?? [], 'Asset'),
    locales: locales.length ? locales : [{ code: 'en-US', default: true }],
  };
}

/** Reads the export on every sync (it is small) so edits to the file are picked up. */
export function createExportContentSource(file: string): ContentSource & { locales(): Promise<LocaleDef[]> } {
  const load = async () => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new ContentError(`Cannot read the content export ${file}: ${(error as Error).message}`, { cause: error });
    }
    return { doc: parseExport(text, file), token: `export:${createHash('sha256').update(text).digest('hex').slice(0, 16)}` };
  };
  return {
    async sync(): Promise<ContentDelta> {
      const { doc, token } = await load();
      return { full: true, entries: doc.entries, assets: doc.assets, deletedEntries: [], deletedAssets: [], nextToken: token };
    },
    async locales() {
      return (await load()).doc.locales;
    },
  };
}
