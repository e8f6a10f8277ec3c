/**
 * Contentful entity shapes as the pipeline receives them: CMA JSON (export files, webhook bodies)
 * and CDA sync items, both with every locale (`fields[field][locale]`).
 */

export interface Link<T extends string = string> {
  sys: { type: 'Link'; linkType: T; id: string };
}

export interface EntitySys {
  id: string;
  type: 'Entry' | 'Asset' | string;
  contentType?: Link<'ContentType'>;
  space?: Link<'Space'>;
  environment?: Link<'Environment'>;
  /** CMA: current version (bumps on every save). */
  version?: number;
  /** CMA: the version that was published last. */
  publishedVersion?: number;
  /** CMA: how many times the entity was published. */
  publishedCounter?: number;
  /** CDA: publish revision. */
  revision?: number;
  createdAt?: string;
  updatedAt?: string;
  publishedAt?: string;
}

export interface ContentEntity {
  sys: EntitySys;
  fields: Record<string, Record<string, unknown> | undefined>;
}

export interface DeletedEntity {
  sys: { id: string; type: 'DeletedEntry' | 'DeletedAsset' | string; revision?: number; deletedAt?: string; updatedAt?: string };
}

export interface LocaleDef {
  code: string;
  default?: boolean;
  fallbackCode?: string | null;
  name?: string;
}

/** The subset of a `contentful-export` file Restatic reads. */
export interface ContentfulExport {
  contentTypes?: unknown[];
  entries: ContentEntity[];
  assets: ContentEntity[];
  locales: LocaleDef[];
}

/** A rich-text document node (structural subset of @contentful/rich-text-types' Document). */
export interface RichNode {
  nodeType: string;
  data: Record<string, unknown>;
  content?: RichNode[];
  value?: string;
  marks?: Array<{ type: string }>;
}

/** Publish revision of an entity, comparable across webhook (CMA) and sync (CDA) shapes. */
export function entityRevision(sys: EntitySys): number {
  return sys.revision ?? sys.publishedCounter ?? sys.publishedVersion ?? sys.version ?? 0;
}

/**
 * Version of an entity change for fencing, as a decimal string: the epoch milliseconds of its last
 * change (`updatedAt`, or `deletedAt` on a tombstone). Unlike revision counters it keeps increasing
 * across publish → unpublish → publish, and the Delivery API shows the same `updatedAt` as the
 * webhook, so it also answers "does the CDA show this change yet?". Falls back to the revision.
 */
export function changeVersion(sys: EntitySys | DeletedEntity['sys']): string {
  const at = Date.parse(sys.updatedAt ?? (sys as DeletedEntity['sys']).deletedAt ?? '');
  if (Number.isFinite(at)) return String(at);
  return String(entityRevision(sys as EntitySys));
}
