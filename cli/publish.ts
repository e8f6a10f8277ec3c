/**
 * `restatic publish ENTRY --set field=value`: an editor's save from the shell. The entry as the
 * local space has it now, with the fields set, published the way Contentful publishes: a CMA
 * entry with its version counters moved on, in a webhook signed with the webhook secret
 * (Contentful's request verification, `signRequest` of @contentful/node-apps-toolkit), which the
 * receiver verifies as it verifies Contentful's.
 */
import { signRequest } from '@contentful/node-apps-toolkit';
import { ConfigError } from '../functions/shared/errors.js';
import type { ContentEntity, LocaleDef } from '../functions/shared/content/types.js';

export interface SignedWebhook {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A webhook request as Contentful sends it for `topic` (e.g. `Entry.publish`), signed with `secret`. */
export function signedWebhook(secret: string, topic: string, entity: unknown, options: { path?: string; timestamp?: number; idempotencyKey?: string } = {}): SignedWebhook {
  const path = options.path ?? '/_hooks/contentful';
  const body = JSON.stringify(entity);
  const headers: Record<string, string> = {
    'content-type': 'application/vnd.contentful.management.v1+json',
    'x-contentful-topic': `ContentManagement.${topic}`,
    'x-contentful-webhook-name': 'restatic',
    ...(options.idempotencyKey ? { 'x-contentful-idempotency-key': options.idempotencyKey } : {}),
  };
  const signature = signRequest(secret, { method: 'POST', path, headers, body }, options.timestamp ?? Date.now());
  return { method: 'POST', path, headers: { ...headers, ...signature }, body };
}

/** A content type's field as the export describes it. */
export interface FieldDef {
  id: string;
  type: string;
  localized?: boolean;
  items?: { type: string };
}

export interface FieldSet {
  field: string;
  /** The locale written; undefined for the default one. */
  locale: string | undefined;
  raw: string;
}

/** `field=value` or `field@locale=value`, as given to `--set`. */
export function parseSet(text: string): FieldSet {
  const match = /^([A-Za-z][A-Za-z0-9_]*)(?:@([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*))?=([\s\S]*)$/.exec(text);
  if (!match) throw new ConfigError('--set', `expected field=value or field@locale=value (e.g. title=Spring sale, title@de-DE=Frühjahr), got ${JSON.stringify(text)}`);
  return { field: match[1]!, locale: match[2], raw: match[3]! };
}

/** A rich-text document of plain paragraphs (blank lines separate them). */
function richText(text: string): unknown {
  return {
    nodeType: 'document', data: {},
    content: text.split(/\n\s*\n/).map((p) => ({ nodeType: 'paragraph', data: {}, content: [{ nodeType: 'text', value: p.trim(), marks: [], data: {} }] })),
  };
}

/** The value of `raw` for a field of this type: text as is, numbers and JSON parsed, plain text into rich text. */
export function fieldValue(def: FieldDef, raw: string, entryId: string): unknown {
  const fail = (expected: string): never => {
    throw new ConfigError('--set', `expected ${expected} for field "${def.id}" (${def.type}) of entry ${entryId}, got ${JSON.stringify(raw)}`);
  };
  switch (def.type) {
    case 'Symbol': case 'Text': return raw;
    case 'Date': return Number.isFinite(Date.parse(raw)) ? raw : fail('an ISO 8601 date');
    case 'Integer': return /^-?\d+$/.test(raw) ? Number(raw) : fail('a whole number');
    case 'Number': return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : fail('a number');
    case 'Boolean': return raw === 'true' ? true : raw === 'false' ? false : fail('true or false');
    case 'RichText':
      if (raw.trimStart().startsWith('{')) {
        try {
          const doc = JSON.parse(raw) as { nodeType?: unknown };
          return doc.nodeType === 'document' ? doc : fail('a rich-text document ({"nodeType":"document",…}) or plain text');
        } catch {
          return fail('a rich-text document as JSON, or plain text');
        }
      }
      return richText(raw);
    default:
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        return fail('JSON (an array, a link {"sys":{…}} or an object)');
      }
  }
}

/**
 * The entry with the sets applied, as Contentful's publish webhook carries it: every locale of
 * every field, `version` one past the published one, `publishedCounter` one up, `updatedAt` now.
 * As a draft (an editor's auto-save): `version` one up and `updatedAt` now, nothing published.
 */
export function publishedEntry(entry: ContentEntity, fields: readonly FieldDef[], locales: readonly LocaleDef[], sets: readonly FieldSet[], now: Date, options: { draft?: boolean } = {}): { entity: ContentEntity; changed: string[] } {
  const defaultLocale = (locales.find((l) => l.default) ?? locales[0])?.code ?? 'en-US';
  const contentType = entry.sys.contentType?.sys.id ?? '(unknown type)';
  const next: ContentEntity = { sys: { ...entry.sys }, fields: structuredClone(entry.fields) };
  const changed: string[] = [];
  for (const set of sets) {
    const def = fields.find((f) => f.id === set.field);
    if (!def) throw new ConfigError('--set', `expected a field of ${contentType} (${fields.map((f) => f.id).join(', ')}), got "${set.field}" for entry ${entry.sys.id}`);
    const locale = set.locale ?? defaultLocale;
    if (!locales.some((l) => l.code === locale)) throw new ConfigError('--set', `expected a locale of the space (${locales.map((l) => l.code).join(', ')}), got "${locale}" for ${entry.sys.id}.${set.field}`);
    if (!def.localized && locale !== defaultLocale) throw new ConfigError('--set', `expected ${entry.sys.id}.${set.field} in ${defaultLocale} only (the field is not localized), got @${locale}`);
    next.fields[set.field] = { ...next.fields[set.field], [locale]: fieldValue(def, set.raw, entry.sys.id) };
    changed.push(`${set.field}${set.locale ? `@${set.locale}` : ''}`);
  }
  const at = now.toISOString();
  if (options.draft) {
    // An auto-save: one more version, the same publish counters (nothing is published).
    const { revision: _cdaOnly, ...sys } = next.sys;
    next.sys = { ...sys, type: 'Entry', version: (entry.sys.version ?? entry.sys.publishedVersion ?? 0) + 1, updatedAt: at };
    return { entity: next, changed };
  }
  // The CMA counts a publish as one save (version) then the publish itself (version + 1).
  const published = Math.max(entry.sys.publishedVersion ?? 0, (entry.sys.version ?? 1) - 1) + 1;
  const { revision: _cdaOnly, ...sys } = next.sys;
  next.sys = { ...sys, type: 'Entry', version: published + 1, publishedVersion: published, publishedCounter: (entry.sys.publishedCounter ?? 0) + 1, updatedAt: at, publishedAt: at };
  return { entity: next, changed };
}
