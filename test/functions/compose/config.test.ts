/** The Lambda configuration edge and the AWS composition root built on it. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import * as aws from '../../../functions/compose/aws.js';
import { siteContent } from '../../../functions/compose/aws-content.js';
import { need, readAwsConfig, readCliAwsConfig } from '../../../functions/compose/config.js';
import { ConfigError } from '../../../functions/shared/errors.js';
import { productChange } from '../../fixtures/events.js';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/restatic-changes.fifo';

describe('readAwsConfig', () => {
  it('types and defaults what it reads', () => {
    // Act
    const config = readAwsConfig({ SITE_URL: 'https://shop.example.com/', PDF_CATALOG_WINDOW_SECONDS: '120', FEEDS_DESCRIPTION_FROM_STORY: 'true', PDF_IMAGE_HOSTS: 'img.example.com, cdn.example.com' });
    // Assess
    expect(config.SITE_URL).toBe('https://shop.example.com');
    expect(config.PDF_CATALOG_WINDOW_SECONDS).toBe(120);
    expect(config.FEEDS_DESCRIPTION_FROM_STORY).toBe(true);
    expect(config.PDF_IMAGE_HOSTS).toEqual(['img.example.com', 'cdn.example.com']);
    expect(config.CONTENTFUL_ENVIRONMENT).toBe('master');
    expect(readAwsConfig({}).SITE_NAME).toBe('Store');
  });

  it.each([
    ['SITE_URL', 'shop.example.com', /SITE_URL.*absolute URL.*"shop\.example\.com"/],
    ['PDF_CATALOG_WINDOW_SECONDS', '9000', /PDF_CATALOG_WINDOW_SECONDS/],
    ['CONTENTFUL_WEBHOOK_SECRET_ARN', 'my-secret', /CONTENTFUL_WEBHOOK_SECRET_ARN.*expected an ARN/],
    ['FEED_TARGETS', '[{"id":"US"}]', /FEED_TARGETS/],
    ['SITE_KIND', 'staging', /SITE_KIND.*expected live or preview.*"staging"/],
  ])('refuses a malformed %s with an error naming it and what arrived', (name, value, message) => {
    // Act
    const error = (() => { try { readAwsConfig({ [name]: value }); } catch (e) { return e; } })();
    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('reads the CLI names into the same settings, and names the CLI variable when one is wrong', () => {
    // Act
    const config = readCliAwsConfig({ RESTATIC_BUCKET: 'shop-site', RESTATIC_TABLE: 'products', RESTATIC_DISTRIBUTION_ID: 'E2ABCDEF123' });
    const error = (() => { try { readCliAwsConfig({ RESTATIC_BUCKET: 'Not_A_Bucket' }); } catch (e) { return e as Error; } })();
    // Assess
    expect([config.SITE_BUCKET, config.PRODUCTS_TABLE, config.DISTRIBUTION_ID]).toEqual(['shop-site', 'products', 'E2ABCDEF123']);
    expect(error?.message).toMatch(/RESTATIC_BUCKET/);
  });

  it('need() names a missing variable', () => {
    expect(() => need(readAwsConfig({}), 'SITE_BUCKET')).toThrow(/SITE_BUCKET.*required/);
  });
});

describe('the AWS composition root', () => {
  it('builds only the ports a function uses: a function without a bucket can still send changes', async () => {
    // Prepare
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: '' }], Failed: [] });
    const config = readAwsConfig({ CHANGES_QUEUE_URL: QUEUE });
    // Act
    await aws.changes(config).send([productChange('A', 1)]);
    // Assess
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.QueueUrl).toBe(QUEUE);
    expect(() => aws.store(config)).toThrow(/SITE_BUCKET/);
    expect(aws.changes(config)).toBe(aws.changes(config));
    sqs.restore();
  });

  it('builds the site SITE_KIND names: the storefront by default; the preview noindex, with nothing to invalidate and the build steps\' logs apart', async () => {
    // Prepare
    const site = { SITE_URL: 'https://shop.example.com' };
    const live = readAwsConfig({ ...site, DISTRIBUTION_ID: 'E2ABCDEF123' });
    const preview = readAwsConfig({ ...site, SITE_KIND: 'preview' });
    // Act
    const [liveSite, previewSite] = [aws.site(live), aws.site(preview)];
    const invalidation = await aws.cdn(preview).invalidate(['/'], 'build-1');
    // Assess
    expect(live.SITE_KIND).toBe('live');
    expect(liveSite.preview).toBeUndefined();
    expect(previewSite.preview).toBe(true);
    // The preview's distribution caches nothing: it needs no distribution id and sends no invalidation.
    expect(invalidation).toBe('uncached-build-1');
    expect(() => aws.cdn(readAwsConfig(site))).toThrow(/DISTRIBUTION_ID/);
    expect([aws.buildStepService(live, 'plan'), aws.buildStepService(preview, 'commit')]).toEqual(['restatic-build-plan', 'restatic-preview-build-commit']);
  });

  it('reads drafts with the Preview API\'s token for the preview\'s build steps, published content with the Delivery API\'s for the storefront\'s', async () => {
    // Prepare
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'a'.repeat(43) });
    const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}`;
    const env = { CONTENTFUL_SPACE_ID: 'space', CONTENTFUL_DELIVERY_TOKEN_SECRET_ARN: arn('delivery'), CONTENTFUL_PREVIEW_TOKEN_SECRET_ARN: arn('preview') };
    // Act
    const preview = await siteContent(readAwsConfig({ ...env, SITE_KIND: 'preview' }));
    const live = await siteContent(readAwsConfig(env));
    // Assess
    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([arn('preview'), arn('delivery')]);
    expect('entryVersion' in preview).toBe(true);
    expect('entryVersion' in live).toBe(false);
    secrets.restore();
  });

  it('gives every SDK client the one retry policy', async () => {
    // Prepare
    const config = readAwsConfig({ CHANGES_QUEUE_URL: QUEUE });
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: '' }], Failed: [] });
    // Act
    await aws.changes(config).send([productChange('A', 1)]);
    // Assess: the client the port sent with was configured by the root
    const client = (sqs.send.thisValues[0] as SQSClient).config;
    const value = async (v: unknown) => (typeof v === 'function' ? await (v as () => Promise<unknown>)() : v);
    expect(await value(client.maxAttempts)).toBe(5);
    expect(await value(client.retryMode)).toBe('adaptive');
    sqs.restore();
  });
});
