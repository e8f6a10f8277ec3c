/**
 * The site: a private, encrypted, versioned, TLS-only bucket behind CloudFront (Origin Access
 * Control, HTTP/2+3, compression, security headers), a viewer-request CloudFront Function for
 * index mapping and slug-change redirects from a KeyValueStore, and `/404.html` for misses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface SiteProps {
  removalPolicy: RemovalPolicy;
  /** A custom domain and its ACM certificate (us-east-1): TLS 1.2+ then applies to viewers. */
  domainName?: string;
  certificateArn?: string;
}

/**
 * Content-Security-Policy for the generated pages: no inline scripts, JSON-LD allowed as data;
 * WebAssembly compiled from the site's own files (the search index's, Pagefind).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "img-src 'self' https: data:", "style-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "font-src 'self'",
  "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'", 'upgrade-insecure-requests',
].join('; ');

export class Site extends Construct {
  readonly bucket: s3.Bucket;
  readonly logs: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly redirects: cloudfront.KeyValueStore;
  readonly headers: cloudfront.ResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: SiteProps) {
    super(scope, id);
    const autoDelete = props.removalPolicy === RemovalPolicy.DESTROY;
    // Access logs of the bucket and the distribution (CloudFront standard logs need ACLs).
    this.logs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED, versioned: false,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: props.removalPolicy, autoDeleteObjects: autoDelete,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true,
      versioned: true, objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logs, serverAccessLogsPrefix: 'bucket/',
      // Old versions are the undo history of publishes: kept 30 days, then gone.
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(30), noncurrentVersionsToRetain: 3 },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: props.removalPolicy, autoDeleteObjects: autoDelete,
    });

    this.redirects = new cloudfront.KeyValueStore(this, 'Redirects', { comment: 'Slug-change redirects: old path → new path' });
    const viewerRequest = new cloudfront.Function(this, 'ViewerRequest', {
      code: cloudfront.FunctionCode.fromInline(readFileSync(join(import.meta.dirname, 'viewer-request.js'), 'utf8')),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      keyValueStore: this.redirects,
      comment: 'Index mapping and slug-change redirects',
    });

    const headers = this.headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Restatic security headers',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: true, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: CONTENT_SECURITY_POLICY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      },
    });

    const certificate = props.certificateArn ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn) : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Restatic storefront',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // TLS 1.2+ needs a certificate of our own: the default *.cloudfront.net one has a fixed policy.
      ...(certificate && props.domainName ? { certificate, domainNames: [props.domainName], minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 } : {}),
      enableLogging: true, logBucket: this.logs, logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        compress: true,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: viewerRequest, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      // The bucket is private: a missing key answers 403 from S3; visitors get the 404 page.
      errorResponses: [403, 404].map((httpStatus) => ({ httpStatus, responseHttpStatus: 404, responsePagePath: '/404.html', ttl: Duration.minutes(1) })),
    });
    // The pipeline's own state (manifest, page index, pending invalidations) lives under _restatic/
    // in the same bucket: CloudFront may never read it (visitors get the 404 page, as locally).
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyPipelineStateToCloudFront', effect: iam.Effect.DENY, principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
      actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects('_restatic/*')],
    }));
  }

  /**
   * `/_img/*` from the image function (its URL, signed by Origin Access Control): each variant is
   * made on its first request and cached for a year (the originals are content-hashed). The path
   * alone is the cache key: the format is in it, so no header varies the response.
   */
  serveImagesFrom(fn: lambda.IFunction): void {
    const url = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    this.distribution.addBehavior('/_img/*', origins.FunctionUrlOrigin.withOriginAccessControl(url), {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      // Pictures are compressed already.
      compress: false,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: this.headers,
    });
  }
}
