/** Errors across a thread boundary keep their class, `retryable`, field and cause. */
import { describe, expect, it } from 'vitest';
import { InvalidChangeError } from '../../../functions/rebuild/worker.js';
import { fromWireError, ObjectStoreError, RestaticError, toWireError, ValidationError } from '../../../functions/shared/errors.js';

/** What postMessage does to a value. */
const acrossThreads = (error: unknown) => fromWireError(structuredClone(toWireError(error)));

describe('errors across threads', () => {
  it('keeps the class, the field and retryable: false of a validation error', () => {
    // Act
    const revived = acrossThreads(new ValidationError('price.USD', 'expected a positive integer, got -5', 'product SKU-1'));
    // Assess
    expect(revived).toBeInstanceOf(ValidationError);
    expect(revived).toBeInstanceOf(RestaticError);
    expect(revived).toMatchObject({ name: 'ValidationError', field: 'price.USD', retryable: false, message: 'product SKU-1: expected a positive integer, got -5' });
  });

  it('keeps retryable and the cause chain of a store error, and a function\'s own error class', () => {
    // Prepare
    const sdk = Object.assign(new Error('We encountered an internal error'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } });
    // Act
    const revived = acrossThreads(new ObjectStoreError('S3 PUT of "a.html" failed', { cause: sdk, retryable: true }));
    const invalid = acrossThreads(new InvalidChangeError('expected a decimal version, got "x"'));
    // Assess
    expect(revived).toBeInstanceOf(ObjectStoreError);
    expect(revived.retryable).toBe(true);
    expect((revived.cause as RestaticError).name).toBe('InternalError');
    expect((revived.cause as RestaticError).retryable).toBe(true);
    expect(invalid).toBeInstanceOf(InvalidChangeError);
    expect(invalid.retryable).toBe(false);
  });
});
