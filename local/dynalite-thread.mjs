// Runs dynalite (DynamoDB on LevelDB) on its own worker thread, so the emulator's CPU work does not compete
// with the API and the pipeline on the main event loop. Plain JS: worker threads don't inherit TS loaders.
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (message) => {
  if (message === 'stop') server.close(() => parentPort.postMessage({ stopped: true }));
});
