/**
 * Lambda (function URL behind the preview distribution, Origin Access Control): `/_preview/open`,
 * Contentful's "Open preview" link. The distribution's viewer function has checked the token
 * already; this finds the page showing the entry in the preview's state, once the preview shows
 * the entry's latest saved version as the Preview API has it (a page that reloads itself until then).
 */
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import * as aws from '../compose/aws.js';
import { previewContent } from '../compose/aws-content.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { noticeFor, openPreview, appliedVersionCaughtUp } from '../shared/preview/open.js';
import { readState } from '../shared/state/site-state.js';

const config = readAwsConfig();
const o = observability('restatic-preview-open');
const [store, roots, content] = [aws.store(config), aws.roots(config), await previewContent(config)];
const otherPrefixes = aws.markets(config).filter((m) => m.prefix !== '/').map((m) => m.prefix);
const PRIVATE = { 'cache-control': 'private, no-store', 'x-robots-tag': 'noindex, nofollow' };

export const handler = lambdaHandler(o, async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
  const entry = new URLSearchParams(event.rawQueryString ?? '').get('entry');
  const decision = await openPreview({
    state: () => readState(store, roots),
    caughtUp: async (id, state) => appliedVersionCaughtUp(state, id, await content.entryVersion(id)),
    otherPrefixes,
  }, entry);
  o.logger.info('preview opened', { entry, decision: decision.kind });
  if (decision.kind === 'page') return { statusCode: 302, headers: { location: `/_preview${encodeURI(decision.url)}`, ...PRIVATE }, body: '' };
  const notice = noticeFor(decision);
  return { statusCode: notice.status, headers: { 'content-type': 'text/html; charset=utf-8', ...PRIVATE }, body: notice.html };
});
