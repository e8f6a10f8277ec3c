/** CLI commands that talk to a running stack: what a person reads when none answers. */
import { createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { runFeeds } from '../../cli/commands.js';
import { readLocalConfig } from '../../local/config.js';

/** A port nothing listens on (taken, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('restatic feeds without a running stack', () => {
  it('says which address it tried and how to point it at another port, and exits 1', async () => {
    // Prepare
    const port = await freePort();
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { written.push(String(chunk)); return true; });
    // Act
    let code: number;
    try {
      code = await runFeeds(readLocalConfig({ PORT: String(port) }));
    } finally {
      spy.mockRestore();
    }
    // Assess
    expect(code).toBe(1);
    expect(written.join('')).toContain(`no local stack answers on http://127.0.0.1:${port} (PORT=${port})`);
    expect(written.join('')).toContain('set PORT');
  });
});
