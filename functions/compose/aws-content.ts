/** The AWS composition root's Contentful port, apart so that only the functions reading content bundle its client. */
import { createContentfulPreviewSource, type PreviewContentSource } from '../shared/adapters/contentful-preview-source.js';
import { createContentfulSyncSource } from '../shared/adapters/contentful-sync-source.js';
import type { ContentSource } from '../shared/ports.js';
import { once, readSecret, secrets } from './aws.js';
import { need, type AwsConfig } from './config.js';

/** Contentful's Delivery API (Sync): the token given directly (CLI) or read once from Secrets Manager. */
export const content = (c: AwsConfig): Promise<ContentSource> => once(c, 'content', async () => createContentfulSyncSource({
  space: need(c, 'CONTENTFUL_SPACE_ID'), environment: c.CONTENTFUL_ENVIRONMENT,
  accessToken: c.CONTENTFUL_DELIVERY_TOKEN ?? await readSecret(need(c, 'CONTENTFUL_DELIVERY_TOKEN_SECRET_ARN', 'is required (or CONTENTFUL_DELIVERY_TOKEN)'), secrets(c)),
}));

/** Contentful's Preview API (drafts), its token read once from Secrets Manager: the preview worker's content. */
export const previewContent = (c: AwsConfig): Promise<PreviewContentSource> => once(c, 'previewContent', async () => createContentfulPreviewSource({
  space: need(c, 'CONTENTFUL_SPACE_ID'), environment: c.CONTENTFUL_ENVIRONMENT,
  accessToken: await readSecret(need(c, 'CONTENTFUL_PREVIEW_TOKEN_SECRET_ARN'), secrets(c)),
}));

/** The content of the site this function builds (`SITE_KIND`): published entries for the storefront, drafts for the preview. */
export const siteContent = (c: AwsConfig): Promise<ContentSource> => (c.SITE_KIND === 'preview' ? previewContent(c) : content(c));
