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

/** Another run committed a document first (its root moved since this run read it): redo from the new one. */
export class StateConflictError extends RestaticError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retryable: true });
  }
}

/** A fanned-out full build (a state machine execution) failed, timed out or was stopped. */
export class BuildFailedError extends RestaticError {}

/**
 * A fanned-out full build was still running when its caller had to stop following it (a Lambda's
 * time ending): the build goes on; the caller's retry follows the same execution. Retryable.
 */
export class BuildStillRunningError extends RestaticError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retryable: true });
  }
}

/** An image a PDF shows could not be read (network, timeout, 5xx): retryable when said so. */
export class ImageFetchError extends RestaticError {}

/** A picture's bytes cannot be decoded or re-encoded (names the key and the format asked for). Never retryable. */
export class ImageTransformError extends RestaticError {}

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

/** An error as it crosses a thread boundary (structured clone keeps neither class nor `retryable`). */
export interface WireError {
  name: string;
  message: string;
  retryable: boolean;
  /** ValidationError's field, ConfigError's variable. */
  field?: string;
  cause?: WireError;
}

const WIRE_CLASSES = new Map<string, typeof RestaticError>([
  ['RestaticError', RestaticError], ['ValidationError', ValidationError as typeof RestaticError], ['ConfigError', ConfigError as typeof RestaticError],
  ['ContentError', ContentError], ['ObjectStoreError', ObjectStoreError], ['CatalogError', CatalogError], ['CdnError', CdnError],
  ['RenderError', RenderError], ['ImageFetchError', ImageFetchError], ['BuildFailedError', BuildFailedError], ['BuildStillRunningError', BuildStillRunningError as typeof RestaticError], ['StateConflictError', StateConflictError as typeof RestaticError],
]);

/** Lets an error class defined elsewhere (a function's own) keep its class across threads. */
export function registerWireError(cls: typeof RestaticError): void {
  WIRE_CLASSES.set(cls.name, cls);
}

/** An error as plain data for postMessage: name, message, whether to retry, field, cause (3 deep). */
export function toWireError(value: unknown, depth = 0): WireError {
  const error = asError(value);
  const field = error instanceof ValidationError ? error.field : error instanceof ConfigError ? error.variable : undefined;
  const cause = (error as { cause?: unknown }).cause;
  return {
    name: error.name, message: error.message, retryable: isRetryable(error),
    ...(field !== undefined ? { field } : {}),
    ...(cause !== undefined && depth < 3 ? { cause: toWireError(cause, depth + 1) } : {}),
  };
}

/** The error again, of its own class where this side knows it (else a RestaticError with its name). */
export function fromWireError(wire: WireError): RestaticError {
  const cls = WIRE_CLASSES.get(wire.name) ?? RestaticError;
  // Built without the constructor: the classes' constructors take different arguments.
  const error = Object.create(cls.prototype) as RestaticError & { field?: string; variable?: string };
  Object.defineProperties(error, {
    name: { value: wire.name, writable: true, configurable: true },
    message: { value: wire.message, writable: true, configurable: true },
    retryable: { value: wire.retryable, enumerable: true },
    stack: { value: `${wire.name}: ${wire.message}\n    (from another thread)`, writable: true, configurable: true },
  });
  if (wire.field !== undefined) Object.defineProperty(error, cls === (ConfigError as typeof RestaticError) ? 'variable' : 'field', { value: wire.field, enumerable: true });
  if (wire.cause) Object.defineProperty(error, 'cause', { value: fromWireError(wire.cause), configurable: true });
  return error;
}
