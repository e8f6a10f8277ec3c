/** Cdn on Amazon CloudFront: one CreateInvalidation per publish; never waits for completion. */
import { type CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { CdnError, isTransientAwsError } from '../errors.js';
import type { Cdn } from '../ports.js';

export interface CloudFrontCdnOptions {
  distributionId: string;
  client: CloudFrontClient;
}

export function createCloudFrontCdn({ distributionId, client }: CloudFrontCdnOptions): Cdn {
  return {
    async invalidate(paths, callerReference) {
      try {
        const out = await client.send(new CreateInvalidationCommand({
          DistributionId: distributionId,
          InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: [...paths] } },
        }));
        return out.Invalidation?.Id ?? callerReference;
      } catch (error) {
        const name = (error as { name?: string }).name ?? '';
        // Too many in progress is a wait-and-retry condition, not a failure of the change.
        const retryable = name === 'TooManyInvalidationsInProgress' || isTransientAwsError(error);
        throw new CdnError(`CloudFront invalidation of ${paths.length} path(s) on ${distributionId} failed (${name}): ${(error as Error).message}`, { cause: error, retryable });
      }
    },
  };
}
