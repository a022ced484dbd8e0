import { CliUsageError } from './io.js';

export const KEYS_HELP = `verdict keys …
    API keys are not managed over HTTP (there is no keys API) nor by this SDK: an operator creates, lists and
    revokes them where the data lives, with \`npm run keys -- create|list|revoke\` in a Verdict checkout
    (--data-dir DIR for a local stack, --table NAME for a deployed one).`;

/**
 * `verdict keys` only points to `npm run keys`: writing keys means opening the data store itself, which is
 * server code, and sdk/ (what users install) holds none.
 */
export async function keysCommand(): Promise<number> {
  throw new CliUsageError(
    'keys are not managed over HTTP nor by the SDK: run `npm run keys -- create|list|revoke` in a Verdict checkout (--data-dir DIR or --table NAME)',
  );
}
