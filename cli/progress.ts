/** Progress bars for long CLI work (cli-progress on a terminal, periodic log lines otherwise). */
import cliProgress from 'cli-progress';
import type { Progress } from '../functions/shared/ports.js';

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) {
    // CI and pipes: a line at every 25% (or every 10 s when the total is unknown) instead of a bar.
    let total = 0;
    let done = 0;
    let label = '';
    let lastQuarter = -1;
    let lastLine = 0;
    let started = 0;
    // A rate over the first instants says nothing (405 cached pages in 1 ms is not 405,000/s).
    const rate = () => {
      const seconds = (Date.now() - started) / 1000;
      return seconds < 0.5 ? '' : ` (${Math.round(done / seconds).toLocaleString('en-US')}/s)`;
    };
    return {
      start(l, t) { label = l; total = t; done = 0; lastQuarter = -1; lastLine = started = Date.now(); },
      advance(n) {
        done += n;
        if (!total) {
          if (Date.now() - lastLine >= 10_000) { lastLine = Date.now(); stream.write(`${label}: ${done}${rate()}\n`); }
          return;
        }
        const quarter = Math.floor((done / total) * 4);
        if (quarter > lastQuarter) { lastQuarter = quarter; stream.write(`${label}: ${done}/${total}${rate()}\n`); }
      },
      stop() { if (!total) stream.write(`${label}: ${done}${rate()}\n`); },
    };
  }
  let bar: cliProgress.SingleBar | undefined;
  let started = 0;
  let value = 0;
  return {
    start(label, total) {
      // An unknown total (a streamed catalog DynamoDB has not counted yet) shows count and rate only.
      const format = total
        ? ' {label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | {duration_formatted}'
        : ' {label} {value} | {rate}/s | {duration_formatted}';
      started = Date.now();
      value = 0;
      bar = new cliProgress.SingleBar({ stream, format, hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
      bar.start(total, 0, { label: label.padEnd(8), rate: 0 });
    },
    advance(n) {
      if (!bar) return;
      value += n;
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      bar.update(value, { rate: Math.round(value / seconds) });
    },
    stop() { bar?.stop(); bar = undefined; },
  };
}

/** Progress that shows nothing (tests, benchmarks). */
export const noProgress: Progress = { start() {}, advance() {}, stop() {} };
