/** The Restatic stack, one per stage: the site, the event pipeline, monitoring, and cdk-nag's verdict. */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DEMO_MARKETS, type Market } from '../../functions/shared/markets/markets.js';
import { Monitoring } from './monitoring.js';
import { Pipeline } from './pipeline.js';
import { Preview } from './preview.js';
import { Site } from './site.js';
import { DEFAULT_CATALOG_PRODUCTS, workerMemory } from './worker-memory.js';

export interface RestaticStackProps extends StackProps {
  stage: string;
  contentfulSpaceId: string;
  contentfulEnvironment: string;
  /** The site's public URL (links in feeds, sitemaps, PDFs); defaults to the distribution's domain. */
  siteUrl?: string;
  domainName?: string;
  certificateArn?: string;
  existingTableName?: string;
  existingTableStreamArn?: string;
  alarmEmail?: string;
  /** The store's checkout: the storefront's cart hands its items there; no cart without it. */
  checkoutUrl?: string;
  /** Hosts (besides Contentful's) whose https product images the PDFs may fetch. */
  pdfImageHosts?: string[];
  /** The storefronts (id, locale, currency, prefix, feeds); the demo's `us` and `de` when absent. */
  markets?: Market[];
  feedSchedule?: string;
  reconcileSchedule?: string;
  /** How many products the store expects (100,000 when absent): the rebuild workers' memory follows it (`worker-memory.ts`). */
  catalogProducts?: number;
  /**
   * Keep the live site's rebuild worker started ahead of changes (provisioned concurrency, one
   * environment), the live site read while it starts, so that no change after a deploy or an idle
   * spell pays seconds for it. @default true for the `prod` stage, false for others (it is billed by the hour)
   */
  warmWorker?: boolean;
}

export class RestaticStack extends Stack {
  readonly site: Site;
  readonly pipeline: Pipeline;
  readonly preview: Preview;

  constructor(scope: Construct, id: string, props: RestaticStackProps) {
    super(scope, id, props);
    const production = props.stage === 'prod';
    const removalPolicy = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.site = new Site(this, 'Site', { removalPolicy, ...(props.domainName ? { domainName: props.domainName } : {}), ...(props.certificateArn ? { certificateArn: props.certificateArn } : {}) });
    // A warm worker holds the live site in memory; a store too large for one function fails here, not in production.
    const { memoryMb: workerMemoryMb } = workerMemory({ products: props.catalogProducts ?? DEFAULT_CATALOG_PRODUCTS, markets: (props.markets ?? DEMO_MARKETS).length });
    const warmWorker = props.warmWorker ?? production;
    const siteUrl = props.siteUrl ?? (props.domainName ? `https://${props.domainName}` : `https://${this.site.distribution.distributionDomainName}`);
    this.pipeline = new Pipeline(this, 'Pipeline', {
      stage: props.stage, bucket: this.site.bucket, distribution: this.site.distribution, redirects: this.site.redirects, siteUrl,
      contentfulSpaceId: props.contentfulSpaceId, contentfulEnvironment: props.contentfulEnvironment,
      ...(props.existingTableName ? { existingTableName: props.existingTableName } : {}),
      ...(props.existingTableStreamArn ? { existingTableStreamArn: props.existingTableStreamArn } : {}),
      ...(props.pdfImageHosts?.length ? { pdfImageHosts: props.pdfImageHosts } : {}),
      ...(props.checkoutUrl ? { checkoutUrl: props.checkoutUrl } : {}),
      markets: props.markets ?? DEMO_MARKETS, marketsConfigured: props.markets !== undefined, workerMemoryMb, warmWorker,
      feedSchedule: props.feedSchedule ?? 'rate(1 hour)', reconcileSchedule: props.reconcileSchedule ?? 'rate(6 hours)',
      removalPolicy, logRetention: production ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.TWO_WEEKS,
    });
    // Drafts: the webhook receiver sends them (and publishes) to the preview, the stream consumer
    // catalog changes, the worker the instants at which sales start or end.
    this.site.serveImagesFrom(this.pipeline.functions.images.fn);
    this.preview = new Preview(this, 'Preview', {
      stage: props.stage, logs: this.site.logs, table: this.pipeline.table, siteUrl, workerMemoryMb, ...(props.checkoutUrl ? { checkoutUrl: props.checkoutUrl } : {}), ...(props.markets ? { markets: props.markets } : {}),
      contentfulSpaceId: props.contentfulSpaceId, contentfulEnvironment: props.contentfulEnvironment,
      removalPolicy, logRetention: production ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.TWO_WEEKS,
    });
    for (const f of [this.pipeline.functions.webhook, this.pipeline.functions.stream, this.pipeline.functions.worker]) {
      f.fn.addEnvironment('PREVIEW_QUEUE_URL', this.preview.queue.queueUrl);
      this.preview.queue.grantSendMessages(f.fn);
    }
    this.pipeline.deadLetterQueues.push(this.preview.dlq, this.preview.compactionsDlq);
    new Monitoring(this, 'Monitoring', { stage: props.stage, pipeline: this.pipeline, previewBuilds: this.preview.builds.stateMachine, ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}) });

    new CfnOutput(this, 'SiteUrl', { value: siteUrl });
    new CfnOutput(this, 'BucketName', { value: this.site.bucket.bucketName });
    new CfnOutput(this, 'DistributionId', { value: this.site.distribution.distributionId });
    new CfnOutput(this, 'ProductsTable', { value: this.pipeline.table.tableName });
    new CfnOutput(this, 'WebhookUrl', { value: `${this.pipeline.api.apiEndpoint}/_hooks/contentful` });
    // For the deploy workflow: feeds and PDFs right after a deploy, not at the next schedule.
    new CfnOutput(this, 'FeedsFunctionName', { value: this.pipeline.functions.feeds.fn.functionName });
    new CfnOutput(this, 'PdfQueueUrl', { value: this.pipeline.pdfQueueUrl });
    // For `restatic build --target aws`: a full build is requested on the changes queue and followed on the state machine.
    new CfnOutput(this, 'ChangesQueueUrl', { value: this.pipeline.changesQueueUrl });
    new CfnOutput(this, 'StateTable', { value: this.pipeline.stateTable.tableName });
    // The deploy workflow asks the preview for a build there (new templates reach the drafts too).
    new CfnOutput(this, 'PreviewQueueUrl', { value: this.preview.queue.queueUrl });
    new CfnOutput(this, 'PreviewUrl', { value: `https://${this.preview.distribution.distributionDomainName}/_preview/` });
    // Contentful → Settings → Content preview: https://<preview host>/_preview/open?entry={entry.sys.id}&token=<restatic preview-url --target aws>
    new CfnOutput(this, 'PreviewTokenKeySecretArn', { value: this.preview.keySecret.secretArn });
    new CfnOutput(this, 'ContentfulPreviewTokenSecretArn', { value: this.preview.previewToken.secretArn });
    new CfnOutput(this, 'BuildStateMachineArn', { value: this.pipeline.builds.stateMachine.stateMachineArn });
  }
}
