/** batching.ts claims pdfkit's bytes unchanged: the same document from stock and from patched pdfkit, byte for byte. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const draw = (mode: 'stock' | 'patched') => Buffer.from(execFileSync(process.execPath, ['--import', 'tsx', join(root, 'test/fixtures/pdf/batching-doc.ts'), mode], { cwd: root, encoding: 'utf8' }), 'base64');

describe('pdfkit output batching', () => {
  it('writes the same bytes as stock pdfkit', () => {
    // Act: each in its own process, as the patches change pdfkit's prototypes for good
    const stock = draw('stock');
    const patched = draw('patched');
    // Assess
    expect(stock.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(stock.length).toBeGreaterThan(2000);
    expect(patched.equals(stock)).toBe(true);
  });
});
