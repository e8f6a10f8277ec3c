/**
 * A scenario process's peak resident set, in MB. Not `process.resourceUsage().maxRSS`: on Linux a
 * spawned child's ru_maxrss starts at its parent's size when it forked (the pre-exec image's high
 * water mark is kept), so every scenario spawned by a big bench runner reported the runner's size
 * (a 1,000,000-product feed run: 387 MB by ru_maxrss, 177 MB measured alone). `VmHWM` in
 * /proc/self/status belongs to the process's own image; it covers worker threads too.
 */
import { readFileSync } from 'node:fs';

export function peakRssMb(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS / 1024;
}
