/**
 * Configuration of the local stack and the CLI, from the environment (docs/contracts.md §2), checked
 * by a schema. Every value is optional; a malformed one stops start-up with a ConfigError naming the
 * variable.
 */
import { resolve } from 'node:path';
import * as v from 'valibot';
import { ConfigError } from '../functions/shared/errors.js';
import { DEMO_MARKETS, parseMarkets, type Market } from '../functions/shared/markets/markets.js';

/** The local stack's stand-in for a store's checkout: it shows what the cart handed over. */
export const LOCAL_CHECKOUT_ROUTE = '/_local/checkout';

export const DEFAULT_WEBHOOK_SECRET = 'restatic-local-development-webhook-signing-secret-0123456789abcd';

export interface LocalConfig {
  port: number;
  /** Port of the local DynamoDB-compatible endpoint (`RESTATIC_DYNAMODB_PORT`); 0 picks a free one. */
  dynamoPort: number;
  dataDir: string;
  demoProducts: number;
  webhookSecret: string;
  spaceId: string;
  environment: string;
  deliveryToken: string | undefined;
  /** Public base URL of the site (absolute links, sitemap, JSON-LD). */
  siteUrl: string;
  bucket: string;
  table: string;
  /** The private preview site's own bucket (`RESTATIC_PREVIEW_BUCKET`). */
  previewBucket: string;
  /**
   * The HMAC key of preview tokens (`RESTATIC_PREVIEW_KEY`); unset: one made at the first start and
   * kept in the data directory (preview.key), so links stay valid across restarts.
   */
  previewKey: string | undefined;
  /** Where the storefront's cart checks out (`RESTATIC_CHECKOUT_URL`); the local demo checkout by default. */
  checkoutUrl: string;
  /** The deployed preview's address (`RESTATIC_PREVIEW_URL`, the stack's `PreviewUrl`): `preview-url --target aws` links there. */
  previewUrl: string | undefined;
  /** Contentful's Content Preview API token (`CONTENTFUL_PREVIEW_TOKEN`): with a space, the preview reads drafts there. */
  previewToken: string | undefined;
  /** The storefronts (`RESTATIC_MARKETS`, JSON; the demo's `us` and `de` by default). */
  markets: Market[];
  /** Minutes between scheduled feed runs. */
  feedIntervalMinutes: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

/** An integer from `min` to `max`; an empty value takes the default. */
const integer = (fallback: number, min: number, max: number) => v.optional(v.pipe(
  v.string(), v.trim(),
  v.check((raw) => /^\d+$/.test(raw) && Number.isSafeInteger(Number(raw)) && Number(raw) >= min && Number(raw) <= max, `expected an integer from ${min} to ${max}`),
  v.transform(Number),
), String(fallback));

/** Text matching `pattern`; an empty value takes the default. */
const text = (fallback: string, pattern: RegExp, expected: string) => v.optional(v.pipe(v.string(), v.regex(pattern, `expected ${expected}`)), fallback);

const LocalEnv = v.object({
  // 0 asks the OS for a free port (tests, parallel stacks).
  PORT: integer(8080, 0, 65535),
  RESTATIC_DYNAMODB_PORT: integer(0, 0, 65535),
  SITE_URL: v.optional(v.pipe(v.string(), v.regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'expected an http(s) URL such as https://shop.example.com'))),
  RESTATIC_MARKETS: v.optional(v.pipe(v.string(), v.parseJson(undefined, 'expected JSON: an array of markets'))),
  RESTATIC_DATA_DIR: v.optional(v.string(), '.restatic'),
  DEMO_PRODUCTS: integer(500, 0, 1_000_000),
  // Contentful's rule for signing secrets: 64 characters of letters, digits, `-` and `_`.
  CONTENTFUL_WEBHOOK_SECRET: text(DEFAULT_WEBHOOK_SECRET, /^[A-Za-z0-9_-]{64}$/, '64 characters of A-Z, a-z, 0-9, "-" or "_"'),
  CONTENTFUL_SPACE_ID: text('restatic-demo', /^[A-Za-z0-9_-]{1,64}$/, 'a Contentful space id'),
  CONTENTFUL_ENVIRONMENT: text('master', /^[A-Za-z0-9._-]{1,64}$/, 'a Contentful environment id'),
  CONTENTFUL_DELIVERY_TOKEN: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{20,}$/, 'expected a Content Delivery API token'))),
  RESTATIC_BUCKET: text('restatic-site', /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
  RESTATIC_PREVIEW_BUCKET: text('restatic-preview', /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
  RESTATIC_PREVIEW_KEY: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{32,256}$/, 'expected 32 to 256 characters of A-Z, a-z, 0-9, "-" or "_"'))),
  RESTATIC_CHECKOUT_URL: v.optional(v.pipe(v.string(), v.regex(/^(https?:\/\/[^\s/]+)?\/[^\s]*$/, 'expected an http(s) URL or a site path such as /checkout'))),
  RESTATIC_PREVIEW_URL: v.optional(v.pipe(v.string(), v.regex(/^https:\/\/[^\s/]+(\/[^\s]*)?$/, 'expected the https URL of the preview distribution (the PreviewUrl output)'))),
  CONTENTFUL_PREVIEW_TOKEN: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{20,}$/, 'expected a Content Preview API token'))),
  RESTATIC_TABLE: text('products', /^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name'),
  FEEDS_INTERVAL_MINUTES: integer(60, 1, 7 * 24 * 60),
  LOG_LEVEL: v.optional(v.picklist(['debug', 'info', 'warn', 'error', 'silent'], 'expected debug, info, warn, error or silent'), 'info'),
});

/** Reads the configuration; throws ConfigError naming the first bad variable. */
export function readLocalConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): LocalConfig {
  const given = Object.fromEntries(Object.keys(LocalEnv.entries).filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]));
  const result = v.safeParse(LocalEnv, given);
  if (!result.success) {
    const name = v.getDotPath(result.issues[0]) ?? 'environment';
    const raw = String(env[name] ?? '');
    throw new ConfigError(name, `${result.issues[0].message}, got ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 77)}...` : raw)}`);
  }
  const e = result.output;
  return {
    port: e.PORT,
    dynamoPort: e.RESTATIC_DYNAMODB_PORT,
    dataDir: resolve(cwd, e.RESTATIC_DATA_DIR),
    demoProducts: e.DEMO_PRODUCTS,
    webhookSecret: e.CONTENTFUL_WEBHOOK_SECRET,
    spaceId: e.CONTENTFUL_SPACE_ID,
    environment: e.CONTENTFUL_ENVIRONMENT,
    deliveryToken: e.CONTENTFUL_DELIVERY_TOKEN,
    siteUrl: (e.SITE_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/$/, ''),
    bucket: e.RESTATIC_BUCKET,
    table: e.RESTATIC_TABLE,
    previewBucket: e.RESTATIC_PREVIEW_BUCKET,
    previewKey: e.RESTATIC_PREVIEW_KEY,
    previewToken: e.CONTENTFUL_PREVIEW_TOKEN,
    previewUrl: e.RESTATIC_PREVIEW_URL,
    checkoutUrl: e.RESTATIC_CHECKOUT_URL ?? LOCAL_CHECKOUT_ROUTE,
    markets: e.RESTATIC_MARKETS === undefined ? DEMO_MARKETS : parseMarkets(e.RESTATIC_MARKETS, 'RESTATIC_MARKETS'),
    feedIntervalMinutes: e.FEEDS_INTERVAL_MINUTES,
    logLevel: e.LOG_LEVEL,
  };
}
