/**
 * Starts the real protocol servers once for the whole run: s3rver (S3) and dynalite (DynamoDB) on
 * free loopback ports, in a throwaway data directory. Tests receive the endpoints via `inject`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedServers } from '../local/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    s3Endpoint: string;
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const dataDir = mkdtempSync(join(tmpdir(), 'restatic-test-'));
  const servers = await startEmbeddedServers({ dataDir, bucket: 'restatic-test-default', table: 'products-default' });
  project.provide('s3Endpoint', servers.s3Endpoint);
  project.provide('dynamoEndpoint', servers.dynamoEndpoint);
  return async () => {
    await servers.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
