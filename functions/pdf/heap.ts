/**
 * V8 tuning for processes that render PDFs. V8 "pretenures" an allocation site (allocates its
 * objects straight in the old generation) once a scavenge finds nearly all of its recent objects
 * alive, and a tenured site stays tenured. Sites on the render path were tenured during start-up
 * (--trace-pretenuring-statistics shows sites tenured at ~100% survival while fonts load and the
 * first sheets render; V8 does not say which), and from then on every sheet's short-lived text
 * arrays went to the old generation: ~3 MB promoted per scavenge, a mark-compact every ~1,000
 * sheets, and 25–40% more CPU a sheet (measured with --trace-gc-nvp; `npm run bench` shows the
 * effect). Without pretenuring those objects die young in the scavenger, as a sheet's objects do.
 * The flag is process-wide: in the local stack it also covers the main thread (edge, webhook
 * receiver), whose latency the bench measured unchanged.
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
