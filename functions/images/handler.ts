/**
 * Lambda (function URL behind the site's distribution, Origin Access Control): `/_img/*`, a picture
 * resized on its first request. CloudFront caches each variant for a year, so this runs once per
 * picture, width and format, never at build time.
 */
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import * as aws from '../compose/aws.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { createSharpTransformer } from '../shared/adapters/sharp-images.js';
import { serveImageVariant } from './variant.js';

const config = readAwsConfig();
const o = observability('restatic-images');
const deps = { store: aws.store(config), transform: createSharpTransformer(), logger: o.logger };

export const handler = lambdaHandler(o, async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
  const method = event.requestContext.http.method;
  if (method !== 'GET' && method !== 'HEAD') return { statusCode: 405, headers: { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, body: 'Method not allowed\n' };
  const response = await serveImageVariant(event.rawPath, deps);
  return { statusCode: response.status, headers: response.headers, body: response.body.toString('base64'), isBase64Encoded: true };
});
