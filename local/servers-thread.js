// Worker-thread entry that hosts the embedded S3 and DynamoDB servers, so their request handling
// (hashing and writing objects, LevelDB) never blocks the edge or the webhook receiver.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { startEmbeddedServers } = await import('./embedded.ts');
try {
  const servers = await startEmbeddedServers(workerData);
  servers.onStreamRecord((notice) => parentPort.postMessage({ stream: notice }));
  parentPort.on('message', async (message) => {
    if (message !== 'close') return;
    await servers.close();
    parentPort.postMessage({ closed: true });
  });
  parentPort.postMessage({ s3Endpoint: servers.s3Endpoint, dynamoEndpoint: servers.dynamoEndpoint });
} catch (error) {
  parentPort.postMessage({ error: { message: error.message, name: error.name } });
}
