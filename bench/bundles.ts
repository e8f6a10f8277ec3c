/**
 * Lambda bundles as the infrastructure builds them (esbuild: ESM, node22, minified, the runtime's
 * AWS SDK left out except where a function bundles its own), and each handler's module-import time
 * — its cold-start share — measured in a fresh Node process with stand-in configuration and a local
 * stand-in for Secrets Manager (handlers read their secrets at import).
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundle } from './bundle.js';
import { childEnv } from './config.js';

export const HANDLERS: Array<{ name: string; entry: string; bundleAwsSdk?: boolean; external?: string[] }> = [
  { name: 'webhook', entry: 'functions/rebuild/webhook-handler.ts' },
  { name: 'worker', entry: 'functions/rebuild/worker-handler.ts', bundleAwsSdk: true, external: ['@11ty/eleventy', 'nunjucks'] },
  { name: 'stream', entry: 'functions/rebuild/stream-handler.ts' },
  { name: 'feeds', entry: 'functions/feeds/handler.ts' },
  { name: 'pdf', entry: 'functions/pdf/handler.ts' },
  { name: 'reconcile', entry: 'functions/rebuild/reconcile-handler.ts' },
  // sharp (native) is installed beside the bundle, as the infrastructure does.
  { name: 'images', entry: 'functions/images/handler.ts', external: ['sharp'] },
];

export interface BundleRow { name: string; bytes: number; importMs: number }

export async function measureBundles(runs: number): Promise<BundleRow[]> {
  // Secrets Manager stand-in: every GetSecretValue answers a 64-character secret.
  const secrets = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.end(JSON.stringify({ ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x', Name: 'x', SecretString: 'x'.repeat(64) }));
    });
  });
  await new Promise<void>((resolve) => secrets.listen(0, '127.0.0.1', resolve));
  const port = (secrets.address() as { port: number }).port;
  const env = childEnv({
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
    SITE_URL: 'https://shop.example.com', SITE_BUCKET: 'restatic-bench-site', DISTRIBUTION_ID: 'E2BENCH0000', PRODUCTS_TABLE: 'products', CHANGES_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/q.fifo',
    PDF_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/p', PDF_CATALOG_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/c.fifo', REDIRECTS_KVS_ARN: 'arn:aws:cloudfront::123456789012:key-value-store/x',
    SCHEDULE_GROUP: 'restatic-bench-instants', CHANGES_QUEUE_ARN: 'arn:aws:sqs:us-east-1:1:changes.fifo', SCHEDULER_ROLE_ARN: 'arn:aws:iam::1:role/instants', CHANGES_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/1/changes-dlq.fifo',
    CONTENTFUL_SPACE_ID: 'space', CONTENTFUL_ENVIRONMENT: 'master',
    CONTENTFUL_DELIVERY_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:delivery', CONTENTFUL_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const rows: BundleRow[] = [];
  try {
    for (const h of HANDLERS) {
      // As the infrastructure bundles (infra/lib/functions.ts): node22, minified, the runtime's SDK left out.
      const outfile = await bundle(h.entry, { outfile: join('bench', '.out', 'lambda', h.name, 'index.mjs'), target: 'node22', minify: true, external: [...(h.bundleAwsSdk ? [] : ['@aws-sdk/*']), ...(h.external ?? [])] });
      const script = `const t = performance.now(); await import(${JSON.stringify(join(process.cwd(), outfile))}); process.stdout.write(String(performance.now() - t)); process.exit(0);`;
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
        times.push(Number(stdout));
      }
      times.sort((a, b) => a - b);
      rows.push({ name: h.name, bytes: statSync(outfile).size, importMs: times[Math.floor(times.length / 2)]! });
    }
  } finally {
    secrets.close();
  }
  return rows;
}
