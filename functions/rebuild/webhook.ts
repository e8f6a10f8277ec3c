/**
 * The Contentful webhook receiver's core: verify the signature over the exact raw request, check
 * the space and environment, normalise the event to a change envelope, queue it durably, answer
 * 202. It makes no Contentful calls and builds nothing (it must answer well within Contentful's
 * timeout, and a rebuild can take longer than that). Drafts (`save`, `auto_save`) go to the preview
 * queue only, never to the live one; publishes and removals go to both, so the preview follows
 * what is live where no draft is newer.
 */
import { randomUUID } from 'node:crypto';
import { ExpiredRequestException, verifyRequest } from '@contentful/node-apps-toolkit';
import { isVersion, type ChangeEnvelope } from '../shared/changes/envelope.js';
import { changeVersion, type ContentEntity, type DeletedEntity } from '../shared/content/types.js';
import type { Logger, Queue } from '../shared/ports.js';

export interface WebhookRequest {
  method: string;
  /** The path exactly as Contentful called it (with any stage prefix and query string). */
  path: string;
  headers: Record<string, string | undefined>;
  /** The raw body, byte for byte as received: the signature covers it. */
  body: string;
}

export interface WebhookResponse {
  status: number;
  body: Record<string, unknown>;
}

export interface WebhookDeps {
  secret: string;
  spaceId: string;
  environment: string;
  queue: Queue<ChangeEnvelope>;
  logger: Logger;
  /** Signature time-to-live in seconds. @default 300 (Contentful retries re-deliver within minutes) */
  ttlSeconds?: number;
  /** @default 1 MiB (Contentful's request size limit) */
  maxBodyBytes?: number;
  /** How far a signature's timestamp may be ahead of this clock (skew), in seconds. @default 60 */
  maxClockSkewSeconds?: number;
  /**
   * Local stack only: mirrors an accepted publish/unpublish into the local Contentful stand-in, which
   * plays the Delivery API there. Never set in AWS, where the CDA already has the change.
   */
  mirror?: (op: 'upsert' | 'delete', type: 'Entry' | 'Asset', entity: ContentEntity | DeletedEntity) => void;
  /**
   * The preview pipeline, when there is one: its queue gets drafts and every change the live queue
   * gets. Without it, drafts are acknowledged and ignored.
   */
  preview?: {
    queue: Queue<ChangeEnvelope>;
    /**
     * Local stack only: records a draft or a removal in the local preview stand-in (the Preview API
     * there), which lays them over what is published; a publish needs no record of its own there.
     */
    mirror?: (op: 'upsert' | 'delete', type: 'Entry' | 'Asset', entity: ContentEntity | DeletedEntity) => void;
  };
}

const ACTIONS_THAT_CHANGE_THE_SITE = new Set(['publish', 'unpublish', 'archive', 'delete']);
// Drafts: auto_save fires every 5 s while an editor types; they reach the preview, never the live site.
const DRAFT_ACTIONS = new Set(['save', 'auto_save']);
const ACTIONS_TO_IGNORE = new Set(['create', 'unarchive']);

// Real rich text nests a few levels per list; thousands of levels only exhaust recursive renderers.
const MAX_JSON_DEPTH = 100;

/** Deepest nesting of objects/arrays in a JSON text, counted without recursion (strings skipped). */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/**
 * The fencing version of a webhook's entity, or why it has none. Refused here so that no change
 * whose version the worker cannot compare ever reaches the queue (it would fail every batch it is in).
 */
function versionOf(sys: ContentEntity['sys'] & { deletedAt?: string }): { version: string } | { error: string; field: string } {
  for (const field of ['updatedAt', 'deletedAt'] as const) {
    const value = sys[field];
    if (value !== undefined && !Number.isFinite(Date.parse(String(value)))) return { error: `expected sys.${field} to be an ISO 8601 date-time, got ${JSON.stringify(value)}`, field: `sys.${field}` };
  }
  const version = changeVersion(sys);
  if (!isVersion(version)) {
    const field = (['revision', 'publishedCounter', 'publishedVersion', 'version'] as const).find((f) => sys[f] !== undefined) ?? 'updatedAt';
    return { error: `expected sys.updatedAt, or a revision that is a non-negative decimal integer, got sys.${field} = ${JSON.stringify(sys[field as keyof typeof sys])}`, field: `sys.${field}` };
  }
  return { version };
}

const reply = (status: number, body: Record<string, unknown>): WebhookResponse => ({ status, body });

/** Handles one webhook delivery. Never throws for bad input; queue failures propagate (→ 5xx, Contentful retries). */
export async function receiveWebhook(deps: WebhookDeps, request: WebhookRequest): Promise<WebhookResponse> {
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([, v]) => v !== undefined).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const limit = deps.maxBodyBytes ?? 1024 * 1024;
  const size = Buffer.byteLength(request.body);
  if (size > limit) return reply(413, { error: `expected a body of at most ${limit} bytes, got ${size}` });

  try {
    const signed = verifyRequest(deps.secret, { method: request.method.toUpperCase() as 'POST', path: request.path, headers, body: request.body }, deps.ttlSeconds ?? 300);
    if (!signed) return reply(401, { error: 'signature does not match the request' });
    // The toolkit only refuses old timestamps; one far ahead would stay replayable until then.
    const skew = deps.maxClockSkewSeconds ?? 60;
    const timestamp = Number(headers['x-contentful-timestamp']);
    if (timestamp - Date.now() > skew * 1000) return reply(401, { error: `expected a request timestamp at most ${skew} s ahead of this clock, got ${new Date(timestamp).toISOString()}` });
  } catch (error) {
    if (error instanceof ExpiredRequestException) return reply(401, { error: `request timestamp is older than the ${deps.ttlSeconds ?? 300} s time-to-live` });
    return reply(401, { error: `expected signed request headers (x-contentful-signature, -signed-headers, -timestamp): ${(error as Error).message}` });
  }

  let entity: ContentEntity | DeletedEntity;
  const depth = jsonDepth(request.body);
  if (depth > MAX_JSON_DEPTH) return reply(400, { error: `expected JSON nested at most ${MAX_JSON_DEPTH} levels deep, got ${depth}`, field: '(body)' });
  try {
    entity = JSON.parse(request.body) as ContentEntity;
  } catch (error) {
    return reply(400, { error: `expected a JSON body: ${(error as Error).message}` });
  }
  const sys = (entity as { sys?: Record<string, unknown> } | null)?.sys as (ContentEntity['sys'] & { deletedAt?: string }) | undefined;
  if (!sys || typeof sys.id !== 'string') return reply(400, { error: 'expected a Contentful entity with sys.id', field: 'sys.id' });

  const topic = headers['x-contentful-topic'] ?? '';
  const match = /^ContentManagement\.(Entry|Asset|ContentType)\.([a-z_]+)$/.exec(topic);
  if (!match) return reply(202, { ignored: true, reason: `topic ${JSON.stringify(topic)} does not change the site` });
  const [, kind, action] = match as unknown as [string, ChangeEnvelope['kind'], string];

  const space = sys.space?.sys.id;
  const environment = sys.environment?.sys.id;
  if (space !== deps.spaceId || environment !== deps.environment) {
    return reply(403, { error: `expected space ${deps.spaceId}/${deps.environment}, got ${space ?? '(none)'}/${environment ?? '(none)'}` });
  }
  const draft = DRAFT_ACTIONS.has(action) && kind !== 'ContentType';
  if (draft && !deps.preview) return reply(202, { ignored: true, reason: `${kind}.${action} does not change the live site (no preview is configured)` });
  if (ACTIONS_TO_IGNORE.has(action) || (kind === 'ContentType' && action !== 'publish')) return reply(202, { ignored: true, reason: `${kind}.${action} does not change the live site` });
  if (!draft && !ACTIONS_THAT_CHANGE_THE_SITE.has(action)) return reply(202, { ignored: true, reason: `unknown action ${action}` });

  const version = versionOf(sys);
  if ('error' in version) return reply(400, { error: `${kind} ${sys.id}: ${version.error}`, field: version.field });

  const correlationId = headers['x-contentful-idempotency-key'] ? `cf-${headers['x-contentful-idempotency-key'].slice(0, 32)}` : randomUUID();
  const envelope: ChangeEnvelope = {
    source: 'contentful', kind, id: sys.id, version: version.version, topic: `${kind}.${action}`,
    correlationId, receivedAt: new Date().toISOString(),
    ...(headers['x-contentful-idempotency-key'] ? { idempotencyKey: headers['x-contentful-idempotency-key'] } : {}),
  };
  const op = action === 'publish' || draft ? 'upsert' : 'delete';
  if (deps.mirror && !draft && (kind === 'Entry' || kind === 'Asset')) deps.mirror(op, kind, entity);
  if (deps.preview?.mirror && action !== 'publish' && (kind === 'Entry' || kind === 'Asset')) deps.preview.mirror(op, kind, entity);
  // Live first: a preview queue that fails (5xx, Contentful retries) must not hold a publish back,
  // and a retried publish is a duplicate the live worker fences.
  if (!draft) await deps.queue.send([envelope]);
  if (deps.preview) await deps.preview.queue.send([envelope]);
  deps.logger.info(draft ? 'draft accepted for the preview' : 'webhook accepted', { correlation_id: correlationId, topic: envelope.topic, id: envelope.id, version: envelope.version });
  return reply(202, { accepted: true, correlationId, id: envelope.id, version: envelope.version, ...(draft ? { preview: true } : {}) });
}
