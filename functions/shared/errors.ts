/**
 * One error hierarchy for the whole pipeline (modelled on Eleventy's BaseError and Powertools'
 * error classes): every error keeps its `cause`, carries a `retryable` flag that batch handlers use
 * to decide between "retry this record" and "dead-letter it now", and says in its message what was
 * expected, what arrived, and which entry/sku/file it concerns.
 */
export class RestaticError extends Error {
  /** Whether the same input may succeed on a later attempt (throttling, network, 5xx). */
  readonly retryable: boolean;

  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
  }
}

/** A value does not match its schema (product item, webhook body, configuration). Never retryable. */
export class ValidationError extends RestaticError {
  /** Dotted path of the offending field, e.g. `price.USD`. */
  readonly field: string;
  /** The record the field belongs to (sku, entry id, file), when known. */
  readonly subject: string | undefined;

  constructor(field: string, message: string, subject?: string) {
    super(subject ? `${subject}: ${message}` : message);
    this.field = field;
    this.subject = subject;
  }
}

/** A required configuration value is missing or malformed. */
export class ConfigError extends RestaticError {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`Configuration ${variable}: ${message}`);
    this.variable = variable;
  }
}

/** Content from Contentful (export file, sync response, webhook) could not be used. */
export class ContentError extends RestaticError {}

/** The object store (S3) failed; retryable unless the failure is about access or the request itself. */
export class ObjectStoreError extends RestaticError {}

/** The catalog (DynamoDB) failed. */
export class CatalogError extends RestaticError {}

/** The CDN (CloudFront) rejected or failed an invalidation. */
export class CdnError extends RestaticError {}

/** Rendering a page through Eleventy failed. */
export class RenderError extends RestaticError {}

/** An image a PDF shows could not be read (network, timeout, 5xx): retryable when said so. */
export class ImageFetchError extends RestaticError {}

/** Narrow an unknown `catch` value to an Error without losing non-Error throws. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(typeof value === 'string' ? value : JSON.stringify(value));
}

/**
 * Whether an AWS SDK v3 error (or anything shaped like one) is worth retrying: throttling,
 * timeouts, connection resets and 5xx answers.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = (error as { $metadata?: { httpStatusCode?: number }; $retryable?: unknown }).$metadata;
  const status = meta?.httpStatusCode ?? 0;
  if (status >= 500 || status === 429) return true;
  if ((error as { $retryable?: unknown }).$retryable) return true;
  const code = (error as { code?: string }).code ?? error.name;
  return /Throttl|Timeout|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|SlowDown|RequestLimitExceeded|ServiceUnavailable|InternalError/i.test(
    `${code} ${error.message}`,
  );
}

/** Whether an error may go away on a later attempt: a RestaticError says so; else AWS transients. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof RestaticError) return error.retryable;
  return isTransientAwsError(error);
}
