import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CliIO, CliUsageError } from './io.js';

export const KEYS_HELP = `verdict keys create [--name NAME] [--org ORG]  (--data-dir DIR | --table NAME [--region R]) [--json]
verdict keys revoke KEY_ID                     (--data-dir DIR | --table NAME [--region R]) [--json]
verdict keys list [--org ORG]                  (--data-dir DIR | --table NAME [--region R]) [--json]

  There is no keys HTTP API: keys are written straight to the data store, by \`npm run keys\` in a Verdict
  checkout (this command runs it, with the same flags). --data-dir acts on a local stack's data (through the
  emulators of \`npm start\` when it runs on that dir); --table on a deployed DynamoDB table with your AWS
  credentials. Secrets are printed once and stored only as SHA-256 hashes.`;

/** The one keys command, server code that sdk/ never imports: it is run as its own process when it is here. */
const KEYS_CLI = fileURLToPath(new URL('../../local/keys-cli.ts', import.meta.url));

/**
 * `verdict keys …` runs `npm run keys -- …` (local/keys-cli.ts) with the same arguments, so there is one keys
 * command and the SDK opens no data store itself. Where the SDK is installed without the server, it says so.
 */
export async function keysCommand(args: string[], io: CliIO): Promise<number> {
  const names = (flag: string) => args.some((a) => a === flag || a.startsWith(`${flag}=`));
  const store = names('--data-dir') || names('--table') || io.env.VERDICT_DATA_DIR;
  if (!store && !args.some((a) => a === '--help' || a === '-h')) {
    throw new CliUsageError(
      'keys are not managed over HTTP: pass --data-dir DIR (a local stack) or --table NAME (a deployed one)',
    );
  }
  if (!existsSync(KEYS_CLI)) {
    throw new CliUsageError(
      'keys are managed where Verdict runs: `npm run keys -- create|list|revoke` in a Verdict checkout',
    );
  }
  // tsx as this package resolves it: the caller's working directory may have no node_modules.
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), KEYS_CLI, ...args], {
    cwd: io.cwd,
    env: io.env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => io.stdout.write(chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => io.stderr.write(chunk.toString('utf8')));
  return new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
}
