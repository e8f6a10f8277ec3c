/**
 * Lambda: the search refresh (EventBridge Scheduler, every minute). A minute with no change to the
 * live site costs two small reads; otherwise the live state's pages are indexed by Pagefind (its
 * x86-64 binary installed beside the bundle) and the changed files published under `/pagefind/`.
 */
import * as aws from '../compose/aws.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { createPagefindIndexer } from '../shared/adapters/pagefind-indexer.js';
import { StateStore } from '../shared/state/state-store.js';
import { refreshSearch } from './job.js';

const config = readAwsConfig();
const o = observability('restatic-search');
const deps = { states: new StateStore(aws.store(config), aws.roots(config)), store: aws.store(config), cdn: aws.cdn(config), logger: o.logger, indexer: createPagefindIndexer() };

export const handler = lambdaHandler(o, async () => {
  const result = await refreshSearch(deps, { site: aws.site(config), now: new Date() });
  return { ...result, invalidated: result.invalidated.length };
});
