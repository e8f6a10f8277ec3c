/**
 * Cdn for the local edge server (`npm start`): posts invalidations to its control route, so a
 * build in another process reaches the running edge's cache too. No edge running means nothing is
 * cached, so a refused connection is not an error.
 */
import { CdnError } from '../functions/shared/errors.js';
import type { Cdn } from '../functions/shared/ports.js';

export const LOCAL_INVALIDATION_ROUTE = '/_local/invalidations';

export function createLocalEdgeCdn(edgeUrl: string): Cdn {
  return {
    async invalidate(paths, callerReference) {
      let response: Response;
      try {
        response = await fetch(new URL(LOCAL_INVALIDATION_ROUTE, edgeUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ paths, callerReference }),
        });
      } catch (error) {
        const code = (error as { cause?: { code?: string } }).cause?.code;
        if (code === 'ECONNREFUSED') return `no-edge-${callerReference}`;
        throw new CdnError(`Local edge invalidation at ${edgeUrl} failed: ${(error as Error).message}`, { cause: error, retryable: true });
      }
      if (!response.ok) throw new CdnError(`Local edge answered ${response.status} to an invalidation of ${paths.length} path(s)`, { retryable: response.status >= 500 });
      const body = (await response.json()) as { id?: string };
      return body.id ?? callerReference;
    },
  };
}
