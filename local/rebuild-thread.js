// Worker-thread entry of the local rebuild worker. Plain JS: it registers the TypeScript loader for
// this thread, builds the worker from plain configuration, and runs batches on request, so the main
// thread (edge and webhook receiver) stays responsive while a rebuild runs — as separate Lambdas are.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { createHostedWorker, serializeError, serializeResult } = await import('./rebuild-host.ts');
const worker = createHostedWorker(workerData);

parentPort.on('message', async ({ id, envelopes, warm }) => {
  try {
    if (warm) return parentPort.postMessage({ id, warmed: await worker.warm() });
    parentPort.postMessage({ id, result: serializeResult(await worker.run(envelopes), envelopes) });
  } catch (error) {
    parentPort.postMessage({ id, error: serializeError(error) });
  }
});
parentPort.postMessage({ ready: true });
