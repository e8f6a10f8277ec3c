/**
 * The Lambda functions' configuration: the one place in `functions/` that reads `process.env`.
 * Each variable is checked by a schema at cold start, so a bad deployment fails with a message
 * naming the variable instead of mid-request. Variables are optional here; the composition root
 * asks for the ones a function uses (`need`), so each function fails only for its own.
 */
import * as v from 'valibot';
import { ConfigError } from '../shared/errors.js';

const text = v.pipe(v.string(), v.trim(), v.minLength(1));
const url = v.pipe(text, v.url('expected an absolute URL'));
const arn = v.pipe(text, v.regex(/^arn:aws[a-z-]*:[a-z0-9-]+:/, 'expected an ARN (arn:aws:…)'));
const seconds = (min: number, max: number) => v.pipe(text, v.transform(Number), v.integer(), v.minValue(min), v.maxValue(max));
const list = v.pipe(v.string(), v.transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)));
const flag = v.pipe(v.picklist(['true', 'false']), v.transform((s) => s === 'true'));
const feedTargets = v.pipe(text, v.parseJson(), v.array(v.object({
  id: v.pipe(v.string(), v.regex(/^[a-z0-9-]+$/)), country: v.pipe(v.string(), v.regex(/^[A-Z]{2}$/)),
  language: v.pipe(v.string(), v.regex(/^[a-z]{2}$/)), currency: v.pipe(v.string(), v.regex(/^[A-Z]{3}$/)), feedLabel: v.string(),
})));

const AwsEnvSchema = v.object({
  SITE_URL: v.optional(v.pipe(url, v.transform((s) => s.replace(/\/$/, '')))),
  SITE_NAME: v.optional(text, 'Store'),
  // Where the storefront's cart hands its items (no cart without it).
  CHECKOUT_URL: v.optional(v.pipe(text, v.regex(/^(https:\/\/[^\s/]+)?\/[^\s]*$/, 'expected an https URL or a site path such as /checkout'))),
  SITE_BUCKET: v.optional(v.pipe(text, v.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name'))),
  PRODUCTS_TABLE: v.optional(v.pipe(text, v.regex(/^[A-Za-z0-9_.-]{3,255}$/, 'expected a DynamoDB table name'))),
  STATE_TABLE: v.optional(v.pipe(text, v.regex(/^[A-Za-z0-9_.-]{3,255}$/, 'expected a DynamoDB table name'))),
  DISTRIBUTION_ID: v.optional(v.pipe(text, v.regex(/^[A-Z0-9]{6,20}$/, 'expected a CloudFront distribution id'))),
  REDIRECTS_KVS_ARN: v.optional(arn),
  CONTENTFUL_SPACE_ID: v.optional(v.pipe(text, v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a Contentful space id'))),
  CONTENTFUL_ENVIRONMENT: v.optional(v.pipe(text, v.regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected a Contentful environment id')), 'master'),
  CONTENTFUL_DELIVERY_TOKEN_SECRET_ARN: v.optional(arn),
  CONTENTFUL_WEBHOOK_SECRET_ARN: v.optional(arn),
  CHANGES_QUEUE_URL: v.optional(url),
  // The preview: drafts go to its queue; its worker reads the Preview API; its KeyValueStore holds the token key.
  PREVIEW_QUEUE_URL: v.optional(url),
  CONTENTFUL_PREVIEW_TOKEN_SECRET_ARN: v.optional(arn),
  PREVIEW_KEY_SECRET_ARN: v.optional(arn),
  PREVIEW_KVS_ARN: v.optional(arn),
  // Which site a full build's steps build: the storefront (Delivery API, its distribution invalidated)
  // or the preview (drafts from the Preview API, noindex pages, a distribution that caches nothing).
  SITE_KIND: v.optional(v.picklist(['live', 'preview'], 'expected live or preview'), 'live'),
  CHANGES_QUEUE_ARN: v.optional(arn),
  CHANGES_DLQ_URL: v.optional(url),
  // The compactor's FIFO queue: the rebuild worker asks there when the state's segments are due.
  COMPACTION_QUEUE_URL: v.optional(url),
  PDF_QUEUE_URL: v.optional(url),
  PDF_CATALOG_QUEUE_URL: v.optional(url),
  PDF_CATALOG_WINDOW_SECONDS: v.optional(seconds(1, 900), '60'),
  PDF_IMAGE_HOSTS: v.optional(list, ''),
  FONT_DIR: v.optional(text),
  SCHEDULE_GROUP: v.optional(text),
  SCHEDULER_ROLE_ARN: v.optional(arn),
  FEED_TARGETS: v.optional(feedTargets),
  // JSON, checked by parseMarkets (markets.ts) where the site is composed.
  MARKETS: v.optional(v.pipe(text, v.parseJson(undefined, 'expected JSON: an array of markets'))),
  BUILD_STATE_MACHINE_ARN: v.optional(v.pipe(arn, v.regex(/:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/, 'expected a Step Functions state machine ARN'))),
  FEEDS_DESCRIPTION_FROM_STORY: v.optional(flag, 'false'),
  // Set by Lambda: the function's memory (MB), which the rebuild worker compares with what it holds.
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: v.optional(v.pipe(text, v.transform(Number), v.integer(), v.minValue(128), v.maxValue(10_240))),
  // Set by Lambda: how this environment was started (on-demand, provisioned-concurrency, snap-start, …).
  AWS_LAMBDA_INITIALIZATION_TYPE: v.optional(text),
  // Given directly (the CLI) instead of through Secrets Manager (the functions).
  CONTENTFUL_DELIVERY_TOKEN: v.optional(v.pipe(text, v.regex(/^[A-Za-z0-9_-]{20,}$/, 'expected a Content Delivery API token'))),
});

export type AwsConfig = v.InferOutput<typeof AwsEnvSchema>;
export type AwsConfigKey = keyof AwsConfig;

/** Parses the environment; throws ConfigError naming the first variable that is malformed. */
export function readAwsConfig(env: NodeJS.ProcessEnv = process.env, aliases: Partial<Record<AwsConfigKey, string>> = {}): AwsConfig {
  const nameOf = (key: string) => aliases[key as AwsConfigKey] ?? key;
  const known = Object.fromEntries(Object.keys(AwsEnvSchema.entries).map((k) => [k, env[nameOf(k)]]).filter(([, value]) => value !== undefined && value !== ''));
  const result = v.safeParse(AwsEnvSchema, known);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const name = nameOf(v.getDotPath(issue) ?? 'environment');
  const raw = String(env[name] ?? '');
  throw new ConfigError(name, `${issue.message}, got ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 77)}...` : raw)}`);
}

/**
 * `restatic build --target aws`: the CLI's names for the same settings (docs/contracts.md §2), so the
 * build runs on the composition root the functions use.
 */
export function readCliAwsConfig(env: NodeJS.ProcessEnv = process.env): AwsConfig {
  return readAwsConfig(env, { SITE_BUCKET: 'RESTATIC_BUCKET', PRODUCTS_TABLE: 'RESTATIC_TABLE', DISTRIBUTION_ID: 'RESTATIC_DISTRIBUTION_ID', MARKETS: 'RESTATIC_MARKETS', BUILD_STATE_MACHINE_ARN: 'RESTATIC_BUILD_STATE_MACHINE_ARN', CHANGES_QUEUE_URL: 'RESTATIC_CHANGES_QUEUE_URL', STATE_TABLE: 'RESTATIC_STATE_TABLE' });
}

/** A variable the calling function cannot run without. */
export function need<K extends AwsConfigKey>(config: AwsConfig, key: K, why = 'is required but not set'): NonNullable<AwsConfig[K]> {
  const value = config[key];
  if (value === undefined || value === null) throw new ConfigError(key, why);
  return value as NonNullable<AwsConfig[K]>;
}
