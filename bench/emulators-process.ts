import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { EmulatorAddress } from '../local/emulators.js';
import { startEmulators } from '../local/emulators.js';
import { startLineChild } from './line-child.js';

/**
 * The local emulators (dynalite, s3rver, fauxqs) in a process of their own, so a benchmark can measure the
 * API's process alone, as it runs in a Lambda, with DynamoDB and S3 elsewhere. The child prints where they
 * listen; `rss()` asks for its RSS.
 */
export async function startEmulatorsProcess(dataDir: string) {
  const child = await startLineChild(import.meta.url, [dataDir], 'stop');
  return {
    address: JSON.parse(child.greeting) as EmulatorAddress,
    /** The child's resident set size in bytes. */
    rss: async () => Number(await child.ask('rss')),
    stop: () => child.stop(),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const emulators = await startEmulators(process.argv[2]!);
  const address: EmulatorAddress = { endpoints: emulators.endpoints, queueUrls: emulators.queueUrls };
  console.log(JSON.stringify(address));
  createInterface({ input: process.stdin }).on('line', async (command) => {
    if (command === 'rss') console.log(process.memoryUsage.rss());
    if (command === 'stop') {
      await emulators.stop();
      process.exit(0);
    }
  });
}
