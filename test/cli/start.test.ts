/** `restatic start` as a person runs it: what the first start prints, at the default log level. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('restatic start, first run', () => {
  it('prints the endpoint and ready lines on stdout, one progress display per phase and no per-item log lines on stderr', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'restatic-start-'));
    const child = spawn(process.execPath, ['bin/restatic.js', 'start'], {
      env: { ...process.env, PORT: '0', RESTATIC_DATA_DIR: dataDir, DEMO_PRODUCTS: '40', LOG_LEVEL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString('utf8'); });
    // Act: wait for the ready line, then stop it as a person would (Ctrl-C)
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line in time; stderr:\n${err}`)), 120_000);
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          if (out.includes('restatic ready at')) { clearTimeout(timer); resolve(); }
        });
        child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code} before ready; stderr:\n${err}`)); });
      });
      child.removeAllListeners('exit');
      const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`code ${code}, signal ${signal}`)));
      child.kill('SIGINT');
      // (What ended it, and what it said last, when it was not a clean exit.)
      const how = await exited;
      expect(how, `${how}; stderr ends:\n${err.slice(-2000)}`).toBe('code 0, signal null');
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
    // Assess
    const lines = out.split('\n').filter((l) => !l.startsWith('>') && l.trim());
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^local DynamoDB at http:\/\/127\.0\.0\.1:\d+ \(table "products"\)/);
    expect(lines[1]).toMatch(/^restatic ready at http:\/\/127\.0\.0\.1:\d+$/);
    const logs = err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const progress = err.split('\n').filter((l) => /^ ?\w+ ?: ?\d/.test(l) || /^(seed|build|pdfs|feeds)\b/.test(l.trim()));
    // 40 products, 2 markets: a per-item line would show up 40 or 80 times
    const counts = new Map<string, number>();
    for (const l of logs) counts.set(String(l.message), (counts.get(String(l.message)) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(2);
    expect(logs.filter((l) => 'sku' in l)).toEqual([]);
    expect(logs.length).toBeLessThan(25);
    for (const phase of ['seed', 'build', 'pdfs', 'feeds']) expect(progress.some((l) => l.trim().startsWith(phase)), phase).toBe(true);
  }, 150_000);
});
