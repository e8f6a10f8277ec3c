/**
 * The CDK app: one Restatic stack per stage, configured by context (`cdk synth -c stage=prod`):
 * stage, contentfulSpaceId, contentfulEnvironment, siteUrl, domainName + certificateArn,
 * productsTableName (+ productsTableStreamArn) to use an existing table, alarmEmail, checkoutUrl (where
 * the storefront's cart hands its items; no cart without it), pdfImageHosts
 * (comma-separated hosts whose product images the PDFs may fetch, besides Contentful's).
 * Synthesizes with no AWS credentials (environment-agnostic unless CDK_DEFAULT_ACCOUNT is set).
 */
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { suppressReviewedFindings } from '../lib/nag.js';
import { RestaticStack } from '../lib/stack.js';

const app = new App();
const context = (key: string): string | undefined => app.node.tryGetContext(key) as string | undefined;
const stage = context('stage') ?? 'dev';
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
  ...(context('pdfImageHosts') ? { pdfImageHosts: context('pdfImageHosts')!.split(',').map((h) => h.trim()).filter(Boolean) } : {}),
  ...(process.env.CDK_DEFAULT_ACCOUNT ? { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' } } : {}),
});
suppressReviewedFindings(stack);
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
