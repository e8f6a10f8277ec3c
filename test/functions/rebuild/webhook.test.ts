import { signRequest } from '@contentful/node-apps-toolkit';
import { describe, expect, it } from 'vitest';
import { receiveWebhook, type WebhookDeps } from '../../../functions/rebuild/webhook.js';
import type { ChangeEnvelope } from '../../../functions/shared/changes/envelope.js';
import { silentLogger } from '../../../functions/shared/logger.js';
import { DEFAULT_WEBHOOK_SECRET } from '../../../local/config.js';
import { cmaEntry, signedWebhook } from '../../fixtures/webhooks.js';

function receiver() {
  const queued: ChangeEnvelope[] = [];
  const deps: WebhookDeps = { secret: DEFAULT_WEBHOOK_SECRET, spaceId: 'restatic-demo', environment: 'master', logger: silentLogger, queue: { send: async (m) => { queued.push(...m); } } };
  return { queued, receive: (request: Parameters<typeof receiveWebhook>[1]) => receiveWebhook(deps, request) };
}

const publish = () => signedWebhook('Entry.publish', cmaEntry('page-about', 'page', { title: 'About', slug: 'about' }, '2026-11-21T10:00:00.000Z'), { idempotencyKey: 'a'.repeat(64) });

describe('webhook receiver', () => {
  it('accepts a signed publish: one envelope with the entity id and its change time as version', async () => {
    // Prepare
    const { queued, receive } = receiver();
    // Act
    const response = await receive(publish());
    // Assess
    expect(response.status).toBe(202);
    expect(queued).toEqual([expect.objectContaining({ source: 'contentful', kind: 'Entry', id: 'page-about', topic: 'Entry.publish', version: String(Date.parse('2026-11-21T10:00:00.000Z')), idempotencyKey: 'a'.repeat(64) })]);
    expect(response.body.correlationId).toBe(queued[0]!.correlationId);
  });

  it.each([
    ['a wrong signature', (r: ReturnType<typeof publish>) => ({ ...r, headers: { ...r.headers, 'x-contentful-signature': 'f'.repeat(64) } })],
    ['a missing signature', (r: ReturnType<typeof publish>) => ({ ...r, headers: Object.fromEntries(Object.entries(r.headers).filter(([k]) => !k.startsWith('x-contentful-sig'))) })],
    ['a tampered body', (r: ReturnType<typeof publish>) => ({ ...r, body: r.body.replace('About', 'Pwned') })],
    ['another path', (r: ReturnType<typeof publish>) => ({ ...r, path: '/other' })],
    ['another secret', () => signedWebhook('Entry.publish', cmaEntry('x', 'page', {}), { secret: 'x'.repeat(64) })],
    ['an expired timestamp', () => signedWebhook('Entry.publish', cmaEntry('x', 'page', {}), { timestamp: Date.now() - 301_000 })],
    ['a timestamp an hour in the future', () => signedWebhook('Entry.publish', cmaEntry('x', 'page', {}), { timestamp: Date.now() + 3_600_000 })],
  ])('refuses %s with 401 and queues nothing', async (_label, tamper) => {
    // Prepare
    const { queued, receive } = receiver();
    // Act
    const response = await receive(tamper(publish()));
    // Assess
    expect(response.status).toBe(401);
    expect(queued).toEqual([]);
  });

  it.each([
    [413, 'an oversized body', () => signedWebhook('Entry.publish', { sys: { id: 'x' }, pad: 'x'.repeat(1024 * 1024) })],
    [400, 'a body that is not JSON', () => {
      const r = signedWebhook('Entry.publish', {});
      return signedWebhookRaw(r, '{"sys": nope');
    }],
    [400, 'a publish counter that is not a decimal integer (and no updatedAt)', () => signedWebhook('Entry.publish', withSys(cmaEntry('x', 'page', {}), { publishedCounter: 'x', updatedAt: undefined }))],
    [400, 'an updatedAt that is not a date', () => signedWebhook('Entry.publish', withSys(cmaEntry('x', 'page', {}), { updatedAt: 'yesterday' }))],
    [400, 'a negative revision and no updatedAt', () => signedWebhook('Entry.publish', withSys(cmaEntry('x', 'page', {}), { publishedCounter: -3, revision: -3, updatedAt: undefined }))],
    [400, 'rich text nested 2,200 deep', () => signedWebhookRaw(signedWebhook('Entry.publish', {}), JSON.stringify(cmaEntry('x', 'page', { body: 'DEEP' })).replace('"DEEP"', nested(2200)))],
    [403, 'no sys.environment', () => signedWebhook('Entry.publish', withSys(cmaEntry('x', 'page', {}), { environment: undefined }))],
    [403, 'another space', () => signedWebhook('Entry.publish', { ...cmaEntry('x', 'page', {}), sys: { ...cmaEntry('x', 'page', {}).sys, space: { sys: { type: 'Link', linkType: 'Space', id: 'evil' } } } })],
  ])('answers %i to %s and queues nothing', async (status, _label, make) => {
    // Prepare
    const { queued, receive } = receiver();
    // Act
    const response = await receive(make());
    // Assess
    expect(response.status).toBe(status);
    expect(queued).toEqual([]);
  });

  it.each(['Entry.save', 'Entry.auto_save', 'Entry.create', 'ContentType.save'])('acknowledges %s and ignores it', async (topic) => {
    // Prepare
    const { queued, receive } = receiver();
    // Act
    const response = await receive(signedWebhook(topic, cmaEntry('x', 'page', {})));
    // Assess
    expect(response).toMatchObject({ status: 202, body: { ignored: true } });
    expect(queued).toEqual([]);
  });

  it('with a preview: a draft goes to the preview queue and its stand-in only, a publish to both queues', async () => {
    // Prepare
    const live: ChangeEnvelope[] = [];
    const preview: ChangeEnvelope[] = [];
    const mirrored: string[] = [];
    const deps: WebhookDeps = {
      secret: DEFAULT_WEBHOOK_SECRET, spaceId: 'restatic-demo', environment: 'master', logger: silentLogger, queue: { send: async (m) => { live.push(...m); } },
      mirror: (op, _type, entity) => mirrored.push(`live ${op} ${entity.sys.id}`),
      preview: { queue: { send: async (m) => { preview.push(...m); } }, mirror: (op, _type, entity) => mirrored.push(`preview ${op} ${entity.sys.id}`) },
    };
    const draft = cmaEntry('page-about', 'page', { title: 'About (draft)', slug: 'about' }, '2026-11-21T10:00:05.000Z');
    // Act
    const saved = await receiveWebhook(deps, signedWebhook('Entry.auto_save', draft));
    await receiveWebhook(deps, signedWebhook('Entry.save', draft));
    const created = await receiveWebhook(deps, signedWebhook('Entry.create', draft));
    await receiveWebhook(deps, publish());
    // Assess
    expect(saved).toMatchObject({ status: 202, body: { accepted: true, preview: true, id: 'page-about', version: String(Date.parse('2026-11-21T10:00:05.000Z')) } });
    expect(created).toMatchObject({ status: 202, body: { ignored: true } });
    expect(live.map((e) => e.topic)).toEqual(['Entry.publish']);
    expect(preview.map((e) => e.topic)).toEqual(['Entry.auto_save', 'Entry.save', 'Entry.publish']);
    expect(mirrored).toEqual(['preview upsert page-about', 'preview upsert page-about', 'live upsert page-about']);
  });

  it('queues unpublish tombstones and content-type publishes', async () => {
    // Prepare
    const { queued, receive } = receiver();
    const tombstone = { sys: { id: 'page-about', type: 'DeletedEntry', deletedAt: '2026-11-21T12:00:00.000Z', space: { sys: { id: 'restatic-demo' } }, environment: { sys: { id: 'master' } } } };
    // Act
    await receive(signedWebhook('Entry.unpublish', tombstone));
    await receive(signedWebhook('ContentType.publish', { sys: { id: 'page', type: 'ContentType', updatedAt: '2026-11-21T12:00:01.000Z', space: { sys: { id: 'restatic-demo' } }, environment: { sys: { id: 'master' } } } }));
    // Assess
    expect(queued.map((e) => [e.topic, e.id, e.version])).toEqual([
      ['Entry.unpublish', 'page-about', String(Date.parse('2026-11-21T12:00:00.000Z'))],
      ['ContentType.publish', 'page', String(Date.parse('2026-11-21T12:00:01.000Z'))],
    ]);
  });
});

/** An entry with some sys fields replaced (`undefined` removes one). */
function withSys(entry: ReturnType<typeof cmaEntry>, sys: Record<string, unknown>) {
  return { ...entry, sys: JSON.parse(JSON.stringify({ ...entry.sys, ...sys })) as ReturnType<typeof cmaEntry>['sys'] };
}

/** A rich-text document whose lists nest `depth` levels deep, as JSON text (too deep for JSON.stringify). */
function nested(depth: number): string {
  const open = Array.from({ length: depth }, (_, i) => `{"nodeType":"${i % 2 ? 'list-item' : 'unordered-list'}","data":{},"content":[`).join('');
  return `{"nodeType":"document","data":{},"content":[${open}{"nodeType":"text","value":"deep","marks":[],"data":{}}${']}'.repeat(depth)}]}`;
}

/** Re-signs a request after replacing its body (to send a validly signed non-JSON body). */
function signedWebhookRaw(request: ReturnType<typeof signedWebhook>, body: string) {
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([k]) => !['x-contentful-signature', 'x-contentful-signed-headers', 'x-contentful-timestamp'].includes(k)));
  return { ...request, body, headers: { ...headers, ...signRequest(DEFAULT_WEBHOOK_SECRET, { method: 'POST', path: request.path, headers, body }, Date.now()) } };
}
