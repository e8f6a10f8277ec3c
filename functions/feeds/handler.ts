/**
 * Lambda: the scheduled Google Shopping feed job (EventBridge Scheduler, hourly by default). Each
 * market has its own schedule, whose event names it (`{ "market": "de" }`): the markets' runs go
 * side by side in their own invocations. An event without a market (the deploy workflow's
 * `aws lambda invoke`) writes every market's feeds in one run.
 */
import * as aws from '../compose/aws.js';
import { content as contentful } from '../compose/aws-content.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { syncedSnapshot } from '../shared/content/catalog-content.js';
import { feedTargetsOf } from '../shared/markets/markets.js';
import { StateStore } from '../shared/state/state-store.js';
import { feedEventTargets } from './event.js';
import { runFeedJob } from './job.js';

const config = readAwsConfig();
const o = observability('restatic-feeds');
const states = new StateStore(aws.store(config), aws.roots(config));
const deps = { catalog: aws.catalog(config), store: aws.store(config), cdn: aws.cdn(config), logger: o.logger, productSlugs: () => states.renamed() };
// CMS data joined into items (category titles, stories), when a Contentful space is configured.
const content = config.CONTENTFUL_SPACE_ID ? syncedSnapshot(await contentful(config)) : undefined;

export const handler = lambdaHandler(o, async (event: unknown) => {
  const markets = aws.markets(config);
  // Targets derive from the markets; FEED_TARGETS (targets without a market) link to the default market's pages.
  const result = await runFeedJob({ ...deps, ...(content ? { content } : {}) }, {
    targets: feedEventTargets(event, config.FEED_TARGETS ?? feedTargetsOf(markets), markets),
    markets, baseUrl: aws.site(config).baseUrl, siteName: config.SITE_NAME, now: new Date(), descriptionFromStory: config.FEEDS_DESCRIPTION_FROM_STORY,
  });
  return result.feeds;
});
