/** Lambda: one shard of a fanned-out full build (an item of the Distributed Map) — render, upload what changed. */
import * as aws from '../compose/aws.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { CdnError } from '../shared/errors.js';
import { shardEvent } from './events.js';
import { shardStep } from './steps.js';

const config = readAwsConfig();
const o = observability(aws.buildStepService(config, 'shard'));
// Shards never invalidate (the commit sends the build's one invalidation).
const deps = { store: aws.store(config), roots: aws.roots(config), cdn: { invalidate: async () => { throw new CdnError('Expected no invalidation from a build shard (the commit sends the build\'s one), got a request for one'); } }, logger: o.logger };

export const handler = lambdaHandler(o, async (event: unknown) => shardStep(deps, shardEvent(event)));
