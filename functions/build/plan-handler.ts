/**
 * Lambda: the first step of a fanned-out full build — read everything, model the site, write the
 * shards. `SITE_KIND` says which site: the storefront (the Delivery API) or the preview (drafts
 * from the Preview API, noindex pages).
 */
import * as aws from '../compose/aws.js';
import { siteContent } from '../compose/aws-content.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { planEvent } from './events.js';
import { planStep } from './plan.js';

const config = readAwsConfig();
const o = observability(aws.buildStepService(config, 'plan'));
const deps = { content: await siteContent(config), catalog: aws.catalog(config), store: aws.store(config), roots: aws.roots(config), cdn: aws.cdn(config), logger: o.logger };

export const handler = lambdaHandler(o, async (event: unknown) => planStep(deps, { site: { ...aws.site(config), now: new Date() }, demoImages: false }, planEvent(event)));
