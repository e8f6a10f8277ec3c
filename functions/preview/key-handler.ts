/**
 * Lambda (CloudFormation custom resource, on every deploy): puts the preview token key from Secrets
 * Manager into the preview distribution's KeyValueStore, where its viewer function reads it. The
 * key never appears in the template; rotating the secret and deploying again rotates the links.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as aws from '../compose/aws.js';
import { need, readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { MIN_PREVIEW_KEY_LENGTH } from '../shared/preview/token.js';
import { ConfigError } from '../shared/errors.js';

const config = readAwsConfig();
const o = observability('restatic-preview-key');

export const handler = lambdaHandler(o, async (event: CloudFormationCustomResourceEvent) => {
  const id = 'PhysicalResourceId' in event ? event.PhysicalResourceId : 'restatic-preview-key';
  if (event.RequestType === 'Delete') return { PhysicalResourceId: id };
  const key = (await aws.readSecret(need(config, 'PREVIEW_KEY_SECRET_ARN'), aws.secrets(config))).trim();
  if (key.length < MIN_PREVIEW_KEY_LENGTH) throw new ConfigError('PREVIEW_KEY_SECRET_ARN', `expected a key of at least ${MIN_PREVIEW_KEY_LENGTH} characters in the secret, got ${key.length}`);
  await aws.previewKeyStore(config).replaceAll({ 'preview-key': key });
  o.logger.info('preview key in the KeyValueStore', { kvs: config.PREVIEW_KVS_ARN });
  return { PhysicalResourceId: id };
});
