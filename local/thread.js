// Worker-thread entry of every function the local stack hosts in a thread (see thread-host.ts).
// Plain JS: it registers the TypeScript loader for this thread, builds the operations from plain
// configuration, and answers numbered requests, so the main thread (edge, webhook receiver) stays
// responsive while a rebuild, a PDF batch or a feed run works, as separate Lambdas would.
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

const { module, factory, config, nice } = workerData;
// A background thread lowers its own priority (never raises it: that needs privileges), first,
// so that what it starts (render threads, the search indexer's process) inherits it.
if (nice !== undefined && nice > getPriority()) {
  try {
    setPriority(nice);
  } catch {
    // a platform without per-thread priorities: the thread runs at normal priority
  }
}
register();
const { toWireError } = await import('../functions/shared/errors.ts');
const operations = await (await import(module))[factory](config);

parentPort.on('message', async ({ id, op, args }) => {
  try {
    const result = await operations[op](args, (progress) => parentPort.postMessage({ id, progress }));
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: toWireError(error) });
  }
});
parentPort.postMessage({ ready: true });
