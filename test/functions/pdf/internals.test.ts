/** The patched pdfkit/fontkit internals: exact pins, and a clear refusal when a version moves them. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertPatchable, PATCHED_VERSIONS } from '../../../functions/pdf/internals.js';
import { ConfigError } from '../../../functions/shared/errors.js';

const root = join(import.meta.dirname, '..', '..', '..');
const require = createRequire(join(root, 'package.json'));
/** The installed version of a package (its package.json is not in its exports: found from its entry). */
function installed(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!dir.endsWith(join('node_modules', name))) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

describe('patched PDF dependencies', () => {
  it('pins pdfkit, fontkit and the font packages to exact versions, the ones installed and patched', () => {
    // Prepare
    const deps = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
    // Assess
    for (const name of ['pdfkit', 'fontkit', '@expo-google-fonts/noto-sans', '@expo-google-fonts/noto-sans-jp']) expect(deps[name], name).toMatch(/^\d+\.\d+\.\d+$/);
    expect(deps.pdfkit).toBe(PATCHED_VERSIONS.pdfkit);
    expect(deps.fontkit).toBe(PATCHED_VERSIONS.fontkit);
    expect(installed('pdfkit')).toBe(PATCHED_VERSIONS.pdfkit);
    expect(installed('fontkit')).toBe(PATCHED_VERSIONS.fontkit);
  });

  it('refuses to patch a pdfkit whose internals moved, naming the member', () => {
    // Prepare: a page prototype without `end`, as a future pdfkit might have it
    const fn = () => undefined;
    const prototypes = { PDFDocument: { _write: fn, push: fn, registerFont: fn, openImage: fn }, PDFPage: { write: fn }, EmbeddedFont: { encode: fn, embed: fn, toUnicodeCmap: fn, layoutRun: fn } };
    // Act
    const attempt = () => assertPatchable(prototypes, { _fontFamilies: {}, _font: {} });
    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PDFPage\.prototype\.end/);
  });
});
