/**
 * Lambda: the last step of a fanned-out full build — take in the shards, sitemaps, prune, one
 * invalidation (none for the preview, whose distribution caches nothing), commit.
 */
import * as aws from '../compose/aws.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { commitEvent } from './events.js';
import { commitStep } from './steps.js';

const config = readAwsConfig();
const o = observability(aws.buildStepService(config, 'commit'));
const deps = { store: aws.store(config), roots: aws.roots(config), cdn: aws.cdn(config), logger: o.logger };

export const handler = lambdaHandler(o, async (event: unknown) => {
  // Counts only: the execution's output is capped at 256 KB.
  const { result: _result, ...summary } = await commitStep(deps, commitEvent(event));
  return summary;
});
