/**
 * The pdfkit and fontkit internals the PDF code patches (batching.ts, embedding.ts, fonts.ts,
 * draw.ts, png.ts), checked before any patch is applied. The packages are pinned to the exact
 * versions these patches were written and tested against; a bump that moves or renames one of
 * these members fails here, with a clear error, instead of producing subtly wrong PDFs.
 */
import { ConfigError } from '../shared/errors.js';

/** The exact versions package.json pins; test/functions/pdf asserts the installed ones match. */
export const PATCHED_VERSIONS = { pdfkit: '0.20.2', fontkit: '2.0.4' } as const;

const REQUIRED: Array<{ where: string; members: readonly string[] }> = [
  { where: 'PDFDocument', members: ['_write', 'push', 'registerFont', 'openImage'] },
  { where: 'PDFPage', members: ['write', 'end'] },
  { where: 'EmbeddedFont', members: ['encode', 'embed', 'toUnicodeCmap', 'layoutRun'] },
];

/** Throws a ConfigError naming the first member the patches need that the installed pdfkit lacks. */
export function assertPatchable(prototypes: { PDFDocument: object; PDFPage: object; EmbeddedFont: object }, internals: Record<string, unknown>): void {
  for (const { where, members } of REQUIRED) {
    const proto = prototypes[where as keyof typeof prototypes] as Record<string, unknown>;
    for (const member of members) {
      if (typeof proto[member] !== 'function') {
        throw new ConfigError('pdfkit', `expected ${where}.prototype.${member} to be a function (pdfkit ${PATCHED_VERSIONS.pdfkit}, fontkit ${PATCHED_VERSIONS.fontkit} are what the PDF patches were written for), got ${typeof proto[member]}: check functions/pdf/internals.ts before upgrading`);
      }
    }
  }
  for (const field of ['_fontFamilies', '_font']) {
    if (typeof internals[field] !== 'object' || internals[field] === null) {
      throw new ConfigError('pdfkit', `expected PDFDocument#${field} to be an object (pdfkit ${PATCHED_VERSIONS.pdfkit}), got ${typeof internals[field]}: check functions/pdf/internals.ts before upgrading`);
    }
  }
}
