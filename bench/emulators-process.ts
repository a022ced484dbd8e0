import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { EmulatorAddress } from '../local/emulators.js';
import { startEmulators } from '../local/emulators.js';

/**
 * The local emulators (dynalite, s3rver, fauxqs) in a process of their own, so a benchmark can measure the
 * API's process alone, as it runs in a Lambda, with DynamoDB and S3 elsewhere. The child prints where they
 * listen; `memory()` asks for its RSS.
 */
export async function startEmulatorsProcess(dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), dataDir], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const lines = createInterface({ input: child.stdout! });
  const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
  const address = JSON.parse(await next()) as EmulatorAddress;
  return {
    address,
    /** The child's resident set size in bytes. */
    async rss() {
      const reply = next();
      child.stdin!.write('rss\n');
      return Number(await reply);
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.write('stop\n');
      await exited;
    },
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
