/**
 * Configuration of the local stack and the CLI, from the environment (CONTRACTS §2). Every value is
 * optional; a malformed one stops start-up with a ConfigError naming the variable.
 */
import { resolve } from 'node:path';
import { ConfigError } from '../functions/shared/errors.js';

export const DEFAULT_WEBHOOK_SECRET = 'restatic-local-development-webhook-signing-secret-0123456789abcd';

export interface LocalConfig {
  port: number;
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
  currencies: string[];
  /** Minutes between scheduled feed runs. */
  feedIntervalMinutes: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `expected an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function text(env: NodeJS.ProcessEnv, name: string, fallback: string, pattern: RegExp, expected: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!pattern.test(raw)) throw new ConfigError(name, `expected ${expected}, got ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 77)}...` : raw)}`);
  return raw;
}

/** Reads the configuration; throws ConfigError naming the first bad variable. */
export function readLocalConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): LocalConfig {
  // 0 asks the OS for a free port (tests, parallel stacks).
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const siteUrl = text(env, 'SITE_URL', `http://127.0.0.1:${port}`, /^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'an http(s) URL such as https://shop.example.com');
  const currencies = text(env, 'RESTATIC_CURRENCIES', 'USD,EUR', /^[A-Z]{3}(,[A-Z]{3})*$/, 'ISO 4217 codes separated by commas, e.g. USD,EUR').split(',');
  return {
    port,
    dataDir: resolve(cwd, env.RESTATIC_DATA_DIR || '.restatic'),
    demoProducts: integer(env, 'DEMO_PRODUCTS', 500, 0, 1_000_000),
    // Contentful's rule for signing secrets: 64 characters of letters, digits, `-` and `_`.
    webhookSecret: text(env, 'CONTENTFUL_WEBHOOK_SECRET', DEFAULT_WEBHOOK_SECRET, /^[A-Za-z0-9_-]{64}$/, '64 characters of A-Z, a-z, 0-9, "-" or "_"'),
    spaceId: text(env, 'CONTENTFUL_SPACE_ID', 'restatic-demo', /^[A-Za-z0-9_-]{1,64}$/, 'a Contentful space id'),
    environment: text(env, 'CONTENTFUL_ENVIRONMENT', 'master', /^[A-Za-z0-9._-]{1,64}$/, 'a Contentful environment id'),
    deliveryToken: env.CONTENTFUL_DELIVERY_TOKEN ? text(env, 'CONTENTFUL_DELIVERY_TOKEN', '', /^[A-Za-z0-9_-]{20,}$/, 'a Content Delivery API token') : undefined,
    siteUrl: siteUrl.replace(/\/$/, ''),
    bucket: text(env, 'RESTATIC_BUCKET', 'restatic-site', /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
    table: text(env, 'RESTATIC_TABLE', 'products', /^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name'),
    currencies,
    feedIntervalMinutes: integer(env, 'FEEDS_INTERVAL_MINUTES', 60, 1, 7 * 24 * 60),
    logLevel: text(env, 'LOG_LEVEL', 'info', /^(debug|info|warn|error|silent)$/, 'debug, info, warn, error or silent') as LocalConfig['logLevel'],
  };
}
