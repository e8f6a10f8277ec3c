/** The build steps' inputs, checked at the edge: a malformed one fails naming its field, never half-runs. */
import { describe, expect, it } from 'vitest';
import { commitEvent, planEvent, shardEvent } from '../../../functions/build/events.js';
import { ValidationError } from '../../../functions/shared/errors.js';

describe('build step events', () => {
  it('accepts what the state machine sends, defaulting the correlation id to the build id', () => {
    // Act / Assess
    expect(planEvent({ buildId: '20261203T110000Z-c-1-ab12cd34' })).toEqual({ buildId: '20261203T110000Z-c-1-ab12cd34', correlationId: '20261203T110000Z-c-1-ab12cd34' });
    expect(shardEvent({ buildId: 'b', shard: 3 })).toEqual({ buildId: 'b', shard: 3 });
    expect(commitEvent({ buildId: 'b' })).toEqual({ buildId: 'b' });
  });

  it.each([
    ['a build id that could escape its prefix', () => shardEvent({ buildId: '../state', shard: 0 }), 'buildId'],
    ['a fractional shard', () => shardEvent({ buildId: 'b', shard: 1.5 }), 'shard'],
    ['a negative shard', () => shardEvent({ buildId: 'b', shard: -1 }), 'shard'],
    ['no build id', () => commitEvent({}), 'buildId'],
  ])('rejects %s with a ValidationError naming the field', (_, act, field) => {
    // Act
    const failure = (() => { try { act(); } catch (e) { return e; } })();
    // Assess
    expect(failure).toBeInstanceOf(ValidationError);
    expect((failure as ValidationError).field).toBe(field);
    expect((failure as Error).message).toContain(field);
  });
});
