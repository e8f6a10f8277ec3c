/** Lambda: the first step of a fanned-out full build — read everything, model the site, write the shards. */
import * as aws from '../compose/aws.js';
import { content as contentful } from '../compose/aws-content.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { planEvent } from './events.js';
import { planStep } from './plan.js';

const config = readAwsConfig();
const o = observability('restatic-build-plan');
const deps = { content: await contentful(config), catalog: aws.catalog(config), store: aws.store(config), roots: aws.roots(config), cdn: aws.cdn(config), logger: o.logger };

export const handler = lambdaHandler(o, async (event: unknown) => planStep(deps, { site: { ...aws.site(config), now: new Date() }, demoImages: false }, planEvent(event)));
