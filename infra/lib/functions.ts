/**
 * One factory for every Lambda function: esbuild bundles (ESM, Node 22, ARM64, source maps), an
 * explicit log group with retention, a role of its own that can write only that log group (grants
 * add the rest, resource by resource), Powertools settings, and bundle extras (site templates,
 * fonts, packages esbuild cannot inline).
 */
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface RestaticFunctionProps {
  /** Handler file, relative to the repository root. */
  entry: string;
  description: string;
  serviceName: string;
  memorySize?: number;
  timeout?: Duration;
  environment?: Record<string, string>;
  /** Packages installed next to the bundle instead of inlined (dynamic imports, data files). */
  nodeModules?: string[];
  /** Files or directories (relative to the root) copied into the bundle: `[from, to]`. */
  copy?: Array<[from: string, to: string]>;
  reservedConcurrency?: number;
  /**
   * Environments Lambda keeps started ahead of invocations, on an alias `live` of the current
   * version: their initialization runs before any event arrives (and may take up to 15 minutes).
   * Event sources go to `target`.
   */
  provisionedConcurrency?: number;
  /** Bundle the AWS SDK instead of using the runtime's copy. */
  bundleAwsSdk?: boolean;
  /** Extra NODE_OPTIONS (source maps are always on). */
  nodeOptions?: string;
  /** @default ARM_64 (a function running a native binary built for x86-64 says so) */
  architecture?: lambda.Architecture;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

export class RestaticFunction extends Construct {
  readonly fn: NodejsFunction;
  /** What events invoke: the `live` alias when the function has provisioned concurrency, the function otherwise. */
  readonly target: lambda.IFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: RestaticFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `Restatic: ${props.description.replace(/[^\x20-\x7E]/g, '-')}` });
    this.logGroup.grantWrite(this.role);
    const copy = props.copy ?? [];
    this.fn = new NodejsFunction(this, 'Fn', {
      entry: join(ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      projectRoot: ROOT,
      depsLockFilePath: join(ROOT, 'package-lock.json'),
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: 'Restatic',
        NODE_OPTIONS: ['--enable-source-maps', props.nodeOptions].filter(Boolean).join(' '),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        ...(props.bundleAwsSdk ? { bundleAwsSDK: true } : {}),
        // Handlers use top-level await (ESM); some dependencies still call require().
        banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
        ...(props.nodeModules ? { nodeModules: props.nodeModules } : {}),
        ...(copy.length ? {
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (inputDir: string, outputDir: string) => copy.map(([from, to]) => `mkdir -p "${join(outputDir, to, '..')}" && cp -R "${join(inputDir, from)}" "${join(outputDir, to)}"`),
          },
        } : {}),
      },
    });
    this.target = props.provisionedConcurrency
      ? new lambda.Alias(this, 'Live', { aliasName: 'live', version: this.fn.currentVersion, provisionedConcurrentExecutions: props.provisionedConcurrency })
      : this.fn;
  }
}
