/** Progress bars for long CLI work (cli-progress on a terminal, periodic log lines otherwise). */
import cliProgress from 'cli-progress';
import type { Progress } from '../functions/shared/ports.js';

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) {
    // CI and pipes: a line at every 25% instead of redrawing a bar.
    let total = 0;
    let done = 0;
    let label = '';
    let lastQuarter = -1;
    return {
      start(l, t) { label = l; total = t; done = 0; lastQuarter = -1; },
      advance(n) {
        done += n;
        const quarter = total ? Math.floor((done / total) * 4) : 4;
        if (quarter > lastQuarter) { lastQuarter = quarter; stream.write(`${label}: ${done}/${total}\n`); }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar({
    stream, format: ' {label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}', hideCursor: true, clearOnComplete: false,
  }, cliProgress.Presets.shades_classic);
  return {
    start(label, total) { bar.start(total, 0, { label: label.padEnd(8) }); },
    advance(n) { bar.increment(n); },
    stop() { bar.stop(); },
  };
}

/** Progress that shows nothing (tests, benchmarks). */
export const noProgress: Progress = { start() {}, advance() {}, stop() {} };
