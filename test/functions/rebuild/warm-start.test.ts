/** A rebuild worker started ahead of its first change (provisioned concurrency) reads the live site while it starts. */
import { describe, expect, it } from 'vitest';
import { isWarmPing, keepWarm, PROVISIONED, WARM_PING, warmIfProvisioned } from '../../../functions/rebuild/warm-start.js';
import { sqsEvent } from '../../fixtures/events.js';
import { createJsonLogger } from '../../../functions/shared/logger.js';

function recorded() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, logger: createJsonLogger({ service: 'test', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }) };
}

describe('warm start', () => {
  it('reads the live site while a provisioned environment starts, and says how long it took', async () => {
    // Prepare
    let warmed = 0;
    const { lines, logger } = recorded();
    // Act
    const outcome = await warmIfProvisioned({ warm: async () => { warmed++; return ['/']; } }, PROVISIONED, logger);
    // Assess
    expect(outcome).toBe('warmed');
    expect(warmed).toBe(1);
    expect(lines).toEqual([expect.objectContaining({ level: 'INFO', message: 'rebuild worker: read the live site before its first change', rendered: 1, ms: expect.any(Number) })]);
  });

  it.each(['on-demand', 'snap-start', undefined])('leaves an environment started for an event (%s) to its first change: its start has 10 seconds', async (type) => {
    // Prepare
    let warmed = 0;
    // Act
    const outcome = await warmIfProvisioned({ warm: async () => { warmed++; return []; } }, type, recorded().logger);
    // Assess
    expect(outcome).toBe('skipped');
    expect(warmed).toBe(0);
  });

  it('starts anyway when the live site cannot be read, with a warning: the first change reads it', async () => {
    // Prepare
    const { lines, logger } = recorded();
    // Act
    const outcome = await warmIfProvisioned({ warm: async () => { throw new Error('Expected the state root, S3 answered 503 SlowDown'); } }, PROVISIONED, logger);
    // Assess
    expect(outcome).toBe('failed');
    expect(lines).toEqual([expect.objectContaining({ level: 'WARN', error: 'Expected the state root, S3 answered 503 SlowDown' })]);
  });
});

describe('keep-warm pings (the preview worker\'s schedule)', () => {
  it('tells its schedule\'s ping from a queue\'s batch, as the schedule sends it (JSON)', () => {
    expect(isWarmPing(JSON.parse(JSON.stringify(WARM_PING)))).toBe(true);
    expect(isWarmPing(sqsEvent(['{}']))).toBe(false);
    expect(isWarmPing({ restatic: 'build' })).toBe(false);
    expect(isWarmPing(null)).toBe(false);
  });

  it('reads what changed of the site and renders nothing it publishes, each ping', async () => {
    // Prepare
    let warmed = 0;
    // Act
    const first = await keepWarm({ warm: async () => { warmed++; return ['/']; } }, recorded().logger);
    await keepWarm({ warm: async () => { warmed++; return ['/']; } }, recorded().logger);
    // Assess
    expect(warmed).toBe(2);
    expect(first).toEqual({ warmed: true, ms: expect.any(Number) });
  });

  it('answers a ping it could not serve with a warning, not a failed invocation (the error alarm is for changes)', async () => {
    // Prepare
    const { lines, logger } = recorded();
    // Act
    const outcome = await keepWarm({ warm: async () => { throw new Error('Expected the state root, S3 answered 503 SlowDown'); } }, logger);
    // Assess
    expect(outcome.warmed).toBe(false);
    expect(lines).toEqual([expect.objectContaining({ level: 'WARN', error: 'Expected the state root, S3 answered 503 SlowDown' })]);
  });
});
