// Worker-thread entry of the render pool. Plain JS: it registers the TypeScript loader (tsx) for
// this thread, then renders chunks of pages on request (and, given a store module, uploads them).
// Eleventy and the store's client stay loaded between chunks.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { renderPages } = await import('./render.js');
const { publishChunk } = await import('./render-pool.js');
const store = workerData?.store ? (await import(workerData.store.module)).createThreadStore(workerData.store.options) : undefined;

/** Transfers the bytes instead of copying them back to the main thread. */
function toWire(rendered) {
  const buffers = rendered.map((page) => page.body.buffer.slice(page.body.byteOffset, page.body.byteOffset + page.body.byteLength));
  return { pages: rendered.map((page, i) => ({ url: page.url, key: page.key, hash: page.hash, body: buffers[i] })), buffers };
}

parentPort.on('message', async ({ id, pages, context, publish }) => {
  try {
    const started = performance.now();
    if (publish) {
      if (!store) throw new Error('Expected a store module for a publishing render thread, got none');
      const { staged, held } = await publishChunk(store, pages, context, publish.live, new Date(publish.now), new Set(publish.hold), publish.concurrency);
      const wire = toWire(held);
      parentPort.postMessage({ id, renderMs: performance.now() - started, staged, rendered: wire.pages }, wire.buffers);
      return;
    }
    const rendered = await renderPages(pages, context);
    const wire = toWire(rendered);
    parentPort.postMessage({ id, renderMs: performance.now() - started, rendered: wire.pages }, wire.buffers);
  } catch (error) {
    parentPort.postMessage({ id, error: { message: error.message, name: error.name } });
  }
});
parentPort.postMessage({ ready: true });
