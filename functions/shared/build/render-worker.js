// Worker-thread entry of the render pool. Plain JS: it registers the TypeScript loader (tsx) for
// this thread, then renders chunks of pages on request. Eleventy stays loaded between chunks.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { renderPages } = await import('./render.js');

parentPort.on('message', async ({ id, pages, context }) => {
  try {
    const started = performance.now();
    const rendered = await renderPages(pages, context);
    const renderMs = performance.now() - started;
    // Transfer the bytes instead of copying them back to the main thread.
    const buffers = rendered.map((page) => page.body.buffer.slice(page.body.byteOffset, page.body.byteOffset + page.body.byteLength));
    parentPort.postMessage(
      { id, renderMs, rendered: rendered.map((page, i) => ({ url: page.url, key: page.key, hash: page.hash, body: buffers[i] })) },
      buffers,
    );
  } catch (error) {
    parentPort.postMessage({ id, error: { message: error.message, name: error.name } });
  }
});
parentPort.postMessage({ ready: true });
