// Entry of the local worker thread (the stand-in for the executor and scorer Lambdas). Plain JS because worker
// threads don't inherit the parent's TypeScript loader: register tsx here, then load the TS runtime.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runWorkerThread } = await import('./runtime.ts');
await runWorkerThread(workerData, parentPort);
