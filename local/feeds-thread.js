// Worker-thread entry of the local feed job. Plain JS: it registers the TypeScript loader for this
// thread, builds the job from plain configuration, and runs it on request, posting progress.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { createHostedFeedJob } = await import('./feeds-host.ts');
const { toWireError } = await import('../functions/shared/errors.ts');
const run = createHostedFeedJob(workerData);

parentPort.on('message', async ({ id }) => {
  let last = 0;
  try {
    const result = await run((itemsIn, total) => {
      // At most ~10 messages a second: progress, not a message per thousand items.
      if (itemsIn !== 0 && Date.now() - last < 100) return;
      last = Date.now();
      parentPort.postMessage({ id, progress: { itemsIn, total } });
    });
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: toWireError(error) });
  }
});
parentPort.postMessage({ ready: true });
