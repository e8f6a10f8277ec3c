/** CLI commands that talk to a running stack: what a person reads when none answers. */
import { createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { runFeeds } from '../../cli/commands.js';
import { main } from '../../cli/main.js';
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

describe('usage errors', () => {
  it.each([
    [['seed', '--count', 'abc'], 'restatic seed: Configuration --count: expected a non-negative whole number, got "abc"'],
    [['pdfs'], 'restatic pdfs: Configuration pdfs: name PDFs with --sku <sku> (repeatable) or --all'],
    [['pdfs', '--bogus'], "restatic pdfs: Unknown option '--bogus'"],
  ])('%j: one line for a person, no log line or stack trace, exit 2', async (argv, line) => {
    // Prepare
    const written: string[] = [];
    const capture = (chunk: unknown) => { written.push(String(chunk)); return true; };
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    // Act
    let code: number;
    try {
      code = await main(argv);
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
    // Assess
    expect(code).toBe(2);
    expect(written.join('')).toBe(`${line}\n`);
  });
});
