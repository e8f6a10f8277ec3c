/**
 * The state of a Contentful space as the pipeline knows it: every published entry and asset with
 * all locales. Built from an initial sync (or export file) and advanced by deltas.
 */
import { withoutControlChars } from '../plain-text.js';
import type { ContentDelta } from '../ports.js';
import type { ContentEntity, LocaleDef } from './types.js';
import { entityRevision } from './types.js';

/** The content as one locale reads it: `field` defaults to that locale, along its fallback chain. */
export interface ContentView {
  readonly entries: ReadonlyMap<string, ContentEntity>;
  readonly assets: ReadonlyMap<string, ContentEntity>;
  readonly defaultLocale: string;
  /** The locale `field` reads by default. */
  readonly locale: string;
  ofType(contentType: string): ContentEntity[];
  field<T = unknown>(entity: ContentEntity, name: string, locale?: string): T | undefined;
}

export class ContentSnapshot implements ContentView {
  readonly entries = new Map<string, ContentEntity>();
  readonly assets = new Map<string, ContentEntity>();
  readonly defaultLocale: string;
  readonly locales: readonly LocaleDef[];
  readonly #fallbacks = new Map<string, string | null>();

  constructor(locales: readonly LocaleDef[] = [{ code: 'en-US', default: true }]) {
    this.locales = locales;
    this.defaultLocale = locales.find((l) => l.default)?.code ?? locales[0]?.code ?? 'en-US';
    for (const locale of locales) this.#fallbacks.set(locale.code, locale.fallbackCode ?? null);
  }

  get locale(): string {
    return this.defaultLocale;
  }

  /** The snapshot as `locale` reads it (a live view: later deltas show through). */
  inLocale(locale: string): ContentView {
    if (locale === this.defaultLocale) return this;
    return {
      entries: this.entries, assets: this.assets, defaultLocale: this.defaultLocale, locale,
      ofType: (type) => this.ofType(type),
      field: <T = unknown>(entity: ContentEntity, name: string, at: string = locale) => this.field<T>(entity, name, at),
    };
  }

  /**
   * Applies a sync result. A full result replaces everything; a delta upserts and deletes.
   * An entity is never replaced by an older revision (deltas may arrive out of order).
   */
  apply(delta: ContentDelta): void {
    if (delta.full) {
      this.entries.clear();
      this.assets.clear();
    }
    const upsert = (map: Map<string, ContentEntity>, entity: ContentEntity) => {
      const current = map.get(entity.sys.id);
      // Editors paste NUL, ESC and the like from other tools: no page, feed or PDF may carry them.
      if (!current || entityRevision(entity.sys) >= entityRevision(current.sys)) map.set(entity.sys.id, withoutControlChars(entity));
    };
    for (const entry of delta.entries) upsert(this.entries, entry);
    for (const asset of delta.assets) upsert(this.assets, asset);
    for (const gone of delta.deletedEntries) this.entries.delete(gone.sys.id);
    for (const gone of delta.deletedAssets) this.assets.delete(gone.sys.id);
  }

  /** Entries of one content type, in id order (deterministic builds). */
  ofType(contentType: string): ContentEntity[] {
    const found: ContentEntity[] = [];
    for (const entry of this.entries.values()) if (entry.sys.contentType?.sys.id === contentType) found.push(entry);
    return found.sort((a, b) => (a.sys.id < b.sys.id ? -1 : a.sys.id > b.sys.id ? 1 : 0));
  }

  /** A field's value in a locale, following the locale's fallback chain to the default locale. */
  field<T = unknown>(entity: ContentEntity, name: string, locale: string = this.defaultLocale): T | undefined {
    const values = entity.fields[name];
    if (!values) return undefined;
    const seen = new Set<string>();
    for (let code: string | null | undefined = locale; code && !seen.has(code); code = this.#fallbacks.get(code)) {
      seen.add(code);
      if (values[code] !== undefined) return values[code] as T;
    }
    return values[this.defaultLocale] as T | undefined;
  }
}
