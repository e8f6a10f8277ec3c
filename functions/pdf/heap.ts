/**
 * V8 tuning for processes that render PDFs. V8 "pretenures" an allocation site (allocates its
 * objects straight in the old generation) once a scavenge finds nearly all of its recent objects
 * alive. While the fonts load and the first sheets render, sites on the render path meet that test
 * (glyph tables, arrays built while whole documents are alive), and a tenured site stays tenured:
 * from then on every sheet's short-lived text arrays went to the old generation, ~3 MB promoted per
 * scavenge, a mark-compact every ~1,000 sheets, and ~40% more CPU a sheet (measured with
 * --trace-gc-nvp; `npm run bench` shows the effect). Without pretenuring those objects die young
 * in the scavenger, which is what a sheet's objects do.
 */
import { setFlagsFromString } from 'node:v8';

let applied = false;

/**
 * Turns V8's allocation-site pretenuring off for this process (all its threads: V8 flags are
 * process-wide). Call once, before the first sheet renders; later calls do nothing.
 */
export function tuneHeapForRendering(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--no-allocation-site-pretenuring');
}
