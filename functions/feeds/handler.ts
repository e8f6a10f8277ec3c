/** Lambda: the scheduled Google Shopping feed job (EventBridge Scheduler, hourly by default). */
import * as aws from '../compose/aws.js';
import { content as contentful } from '../compose/aws-content.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { syncedSnapshot } from '../shared/content/catalog-content.js';
import { feedTargetsOf } from '../shared/markets/markets.js';
import { StateStore } from '../shared/state/state-store.js';
import { runFeedJob } from './job.js';

const config = readAwsConfig();
const o = observability('restatic-feeds');
const states = new StateStore(aws.store(config), aws.roots(config));
const deps = { catalog: aws.catalog(config), store: aws.store(config), cdn: aws.cdn(config), logger: o.logger, productSlugs: () => states.renamed() };
// CMS data joined into items (category titles, stories), when a Contentful space is configured.
const content = config.CONTENTFUL_SPACE_ID ? syncedSnapshot(await contentful(config)) : undefined;

export const handler = lambdaHandler(o, async () => {
  const result = await runFeedJob({ ...deps, ...(content ? { content } : {}) }, {
    // Targets derive from the markets; FEED_TARGETS (targets without a market) link to the default market's pages.
    targets: config.FEED_TARGETS ?? feedTargetsOf(aws.markets(config)), markets: aws.markets(config), baseUrl: aws.site(config).baseUrl, siteName: config.SITE_NAME, now: new Date(), descriptionFromStory: config.FEEDS_DESCRIPTION_FROM_STORY,
  });
  return result.feeds;
});
