// Worker-thread entry of the local PDF worker. Plain JS: it registers the TypeScript loader for this
// thread, builds the worker (and its render pool) from plain configuration, and runs batches.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { createHostedPdfWorker } = await import('./pdf-host.ts');
const { toWireError } = await import('../functions/shared/errors.ts');
const worker = createHostedPdfWorker(workerData);

parentPort.on('message', async ({ id, jobs }) => {
  let last = 0;
  try {
    const result = await worker.run(jobs, (done, total) => {
      if (done !== total && Date.now() - last < 100) return;
      last = Date.now();
      parentPort.postMessage({ id, progress: { done, total } });
    });
    const failed = result.failed.map((f) => ({ index: jobs.indexOf(f.job), job: f.job, error: toWireError(f.error) }));
    parentPort.postMessage({ id, result: { ...result, failed } });
  } catch (error) {
    parentPort.postMessage({ id, error: toWireError(error) });
  }
});
parentPort.postMessage({ ready: true });
