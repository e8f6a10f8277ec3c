// Worker-thread entry of the local PDF pool. Plain JS: it registers the TypeScript loader (tsx) for
// this thread, loads the fonts once, then renders spec sheets on request and transfers the bytes.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { tuneHeapForRendering } = await import('./heap.ts');
tuneHeapForRendering();
const { loadPdfFonts } = await import('./fonts.ts');
const { renderSheet } = await import('./sheet.ts');
const fonts = loadPdfFonts(workerData?.fontDir);

parentPort.on('message', async ({ id, data, siteName, image }) => {
  try {
    // The image arrives as this thread's own copy: viewed, not copied again.
    const pdf = await renderSheet(data, { fonts, siteName, ...(image ? { image: Buffer.from(image.buffer, image.byteOffset, image.byteLength) } : {}) });
    // A sheet's PDF owns its whole ArrayBuffer (Buffer.concat allocates anything over 4 KiB on its
    // own), so it is moved as it is. A smaller one would share a pooled slab: copied out first.
    const owned = pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength;
    const bytes = owned ? pdf.buffer : pdf.buffer.slice(pdf.byteOffset, pdf.byteOffset + pdf.byteLength);
    parentPort.postMessage({ id, bytes }, [bytes]);
  } catch (error) {
    parentPort.postMessage({ id, error: { name: error.name, message: error.message } });
  }
});
parentPort.postMessage({ ready: true });
