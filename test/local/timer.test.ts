/** The local schedule of time instants: durable, catches up what passed while stopped, fires once per instant. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChangeEnvelope } from '../../functions/shared/changes/envelope.js';
import { silentLogger } from '../../functions/shared/logger.js';
import { LocalTimer } from '../../local/timer.js';

const recorder = () => {
  const sent: ChangeEnvelope[] = [];
  return { sent, queue: { send: async (m: readonly ChangeEnvelope[]) => { sent.push(...m); } } };
};
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('local timer', () => {
  it('sends a Time envelope at each instant, in order, and forgets it once sent', async () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'restatic-timer-')), 'timers.json');
    const { sent, queue } = recorder();
    const timer = new LocalTimer(file, queue, silentLogger);
    const t = Date.now();
    // Act
    timer.sync([t + 60, t + 30, t + 30]);
    timer.start();
    await until(() => sent.length === 2);
    // Assess
    expect(sent.map((e) => [e.kind, e.version])).toEqual([['Time', String(t + 30)], ['Time', String(t + 60)]]);
    expect(sent[0]!.id).toBe(new Date(t + 30).toISOString());
    expect(timer.instants).toEqual([]);
    timer.close();
  });

  it('keeps its instants across a restart and fires those that passed while it was stopped', async () => {
    // Prepare: an instant scheduled, the stack stopped before it and restarted after it
    const file = join(mkdtempSync(join(tmpdir(), 'restatic-timer-')), 'timers.json');
    const t = Date.now();
    const first = new LocalTimer(file, recorder().queue, silentLogger);
    first.sync([t + 20, t + 3_600_000]);
    first.close();
    await new Promise((r) => setTimeout(r, 40));
    const { sent, queue } = recorder();
    // Act
    const restarted = new LocalTimer(file, queue, silentLogger);
    restarted.start();
    await until(() => sent.length === 1);
    // Assess
    expect(sent.map((e) => e.version)).toEqual([String(t + 20)]);
    expect(restarted.instants).toEqual([t + 3_600_000]);
    restarted.close();
  });
});
