/**
 * The CDK app: one Restatic stack per stage, configured by context (`cdk synth -c stage=prod`):
 * stage, contentfulSpaceId, contentfulEnvironment, siteUrl, domainName + certificateArn,
 * productsTableName (+ productsTableStreamArn) to use an existing table, alarmEmail, checkoutUrl (where
 * the storefront's cart hands its items; no cart without it), pdfImageHosts
 * (comma-separated hosts whose product images the PDFs may fetch, besides Contentful's), markets
 * (JSON: the storefronts, as `MARKETS` in docs/configuration; the demo's `us` and `de` when unset),
 * catalogProducts (how many products the store expects: sizes the rebuild workers' memory; 100,000 when unset),
 * warmWorker (true or false: keep the live site's rebuild worker started ahead of changes; true for prod, false otherwise when unset).
 * Synthesizes with no AWS credentials (environment-agnostic unless CDK_DEFAULT_ACCOUNT is set).
 */
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseMarkets } from '../../functions/shared/markets/markets.js';
import { suppressReviewedFindings } from '../lib/nag.js';
import { RestaticStack } from '../lib/stack.js';

const app = new App();
const context = (key: string): string | undefined => app.node.tryGetContext(key) as string | undefined;
const stage = context('stage') ?? 'dev';
// `-c markets='[…]'` arrives as text, a `markets` array in cdk.json as JSON already.
const marketsContext = ((raw: unknown) => {
  if (typeof raw !== 'string') return raw;
  try { return JSON.parse(raw) as unknown; } catch { throw new Error(`context markets: expected JSON (an array of markets), got ${raw.slice(0, 80)}`); }
})(app.node.tryGetContext('markets'));
const catalogProducts = ((raw: unknown) => {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(String(raw))) throw new Error(`context catalogProducts: expected a whole number of products, got ${JSON.stringify(raw)}`);
  return Number(raw);
})(app.node.tryGetContext('catalogProducts'));
const warmWorker = ((raw: unknown) => {
  if (raw === undefined) return undefined;
  if (!['true', 'false'].includes(String(raw))) throw new Error(`context warmWorker: expected true or false, got ${JSON.stringify(raw)}`);
  return String(raw) === 'true';
})(app.node.tryGetContext('warmWorker'));
const stack = new RestaticStack(app, `Restatic-${stage}`, {
  stage,
  contentfulSpaceId: context('contentfulSpaceId') ?? 'restatic-demo',
  contentfulEnvironment: context('contentfulEnvironment') ?? 'master',
  ...(context('siteUrl') ? { siteUrl: context('siteUrl')! } : {}),
  ...(context('domainName') ? { domainName: context('domainName')! } : {}),
  ...(context('certificateArn') ? { certificateArn: context('certificateArn')! } : {}),
  ...(context('productsTableName') ? { existingTableName: context('productsTableName')! } : {}),
  ...(context('productsTableStreamArn') ? { existingTableStreamArn: context('productsTableStreamArn')! } : {}),
  ...(context('alarmEmail') ? { alarmEmail: context('alarmEmail')! } : {}),
  ...(context('checkoutUrl') ? { checkoutUrl: context('checkoutUrl')! } : {}),
  ...(marketsContext === undefined ? {} : { markets: parseMarkets(marketsContext, 'context markets') }),
  ...(catalogProducts === undefined ? {} : { catalogProducts }),
  ...(warmWorker === undefined ? {} : { warmWorker }),
  ...(context('pdfImageHosts') ? { pdfImageHosts: context('pdfImageHosts')!.split(',').map((h) => h.trim()).filter(Boolean) } : {}),
  ...(process.env.CDK_DEFAULT_ACCOUNT ? { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' } } : {}),
});
suppressReviewedFindings(stack);
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
