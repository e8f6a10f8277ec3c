/**
 * PDF jobs and the fan-out that makes them: each affected PDF is its own job (a spec sheet per sku,
 * the catalog once per coalescing window, a CMS change expanded by the PDF worker), so a change to
 * 5,000 products renders on as many workers as the queue feeds. Only fields a PDF shows make a job.
 */
import type { ChangeEnvelope } from './envelope.js';

export type PdfJob =
  /** `recheck`: how many times this sheet was sent again because an image host failed. */
  | { kind: 'sheet'; sku: string; correlationId: string; recheck?: number }
  | { kind: 'catalog'; correlationId: string }
  /** A CMS entry changed: the PDF worker finds the sheets (and catalog) that show it. */
  | { kind: 'content'; entryId: string; correlationId: string };

/** Product fields a spec sheet shows (see functions/pdf/data.ts). */
export const SHEET_FIELDS: ReadonlySet<string> = new Set([
  'title', 'brand', 'images', 'price', 'salePrice', 'saleStart', 'saleEnd', 'availability', 'availabilityDate',
  'gtin', 'mpn', 'color', 'size', 'itemGroupId', 'condition', 'category', 'description', 'slug', 'translations',
]);

/** Product fields the catalog shows. */
export const CATALOG_FIELDS: ReadonlySet<string> = new Set(['title', 'brand', 'images', 'price', 'salePrice', 'availability', 'category', 'translations']);

/** Re-checks of a sheet drawn with a placeholder for an unavailable image, before only changes retry it. */
export const MAX_IMAGE_RECHECKS = 4;

/**
 * The sheet jobs to send again later for documents published with a placeholder image (the
 * catalog needs none: its stored version makes its next job try the image again).
 */
export function imageRechecks(degraded: readonly PdfJob[]): PdfJob[] {
  return degraded.flatMap((job) => (job.kind === 'sheet' && (job.recheck ?? 0) < MAX_IMAGE_RECHECKS ? [{ ...job, recheck: (job.recheck ?? 0) + 1 }] : []));
}

/** A stable key per job, for de-duplication in queues (SQS FIFO, the local queue). */
export function pdfJobKey(job: PdfJob): string {
  return job.kind === 'sheet' ? `sheet:${job.sku}` : job.kind === 'catalog' ? 'catalog' : `content:${job.entryId}`;
}

/** The PDF jobs a batch of change envelopes calls for (duplicates merged, first correlation id kept). */
export function pdfJobsFor(envelopes: readonly ChangeEnvelope[]): PdfJob[] {
  const jobs = new Map<string, PdfJob>();
  const add = (job: PdfJob) => { if (!jobs.has(pdfJobKey(job))) jobs.set(pdfJobKey(job), job); };
  for (const e of envelopes) {
    if (e.kind === 'Product') {
      // Inserts and removals change every PDF the product is in; modifications only shown fields.
      const whole = e.topic !== 'Product.MODIFY' || e.changedFields === undefined;
      const fields = e.changedFields ?? [];
      if (whole || fields.some((f) => SHEET_FIELDS.has(f))) add({ kind: 'sheet', sku: e.id, correlationId: e.correlationId });
      if (whole || fields.some((f) => CATALOG_FIELDS.has(f))) add({ kind: 'catalog', correlationId: e.correlationId });
    } else if (e.kind === 'Entry') add({ kind: 'content', entryId: e.id, correlationId: e.correlationId });
    else if (e.kind === 'ContentType') add({ kind: 'content', entryId: '*', correlationId: e.correlationId });
  }
  return [...jobs.values()];
}
