import { parseArgs } from 'node:util';
import { VerdictSdkError } from '../errors.js';
import { type CliIO, CliUsageError, print } from './io.js';

export const KEYS_HELP = `verdict keys create [--name NAME] [--org ORG]  (--data-dir DIR | --table NAME [--region R])
verdict keys revoke KEY_ID                     (--data-dir DIR | --table NAME [--region R])
verdict keys list [--org ORG]                  (--data-dir DIR | --table NAME [--region R])

  There is no keys HTTP API: keys are written straight to the data store, by the same functions as
  \`npm run keys\`. --data-dir acts on a local stack's data (through the emulators of \`npm start\` when it
  runs on that dir); --table on a deployed DynamoDB table with your AWS credentials. Secrets are printed
  once and stored only as SHA-256 hashes.`;

/** The API-key repository of a local data dir or a deployed table, loaded only when a keys command runs. */
async function openKeys(values: { 'data-dir'?: string; table?: string; region?: string }, io: CliIO) {
  const { createRepositories } = await import('../../lambdas/aws/repositories.js');
  if (values.table) {
    const { createAwsClients } = await import('../../lambdas/aws/clients.js');
    const region = values.region ?? io.env.AWS_REGION ?? 'us-east-1';
    const repos = createRepositories(createAwsClients({ region }), { tableName: values.table, bucketName: 'unused' });
    return { keys: repos.apiKeys, close: async () => {} };
  }
  const dataDir = values['data-dir'] ?? io.env.VERDICT_DATA_DIR;
  if (!dataDir) {
    throw new CliUsageError(
      'keys are not managed over HTTP: pass --data-dir DIR (a local stack) or --table NAME (a deployed one)',
    );
  }
  const { LOCAL_BUCKET, LOCAL_TABLE, openDataDirEmulators } = await import('../../local/emulators.js');
  let emulators: Awaited<ReturnType<typeof openDataDirEmulators>>;
  try {
    emulators = await openDataDirEmulators(dataDir);
  } catch (error) {
    // One line for the operator (a data dir another process holds, a port in use), never a stack trace.
    throw new VerdictSdkError(
      `could not open the data in ${dataDir}: ${error instanceof Error ? error.message : error}`,
    );
  }
  const repos = createRepositories(emulators.clients, { tableName: LOCAL_TABLE, bucketName: LOCAL_BUCKET });
  return { keys: repos.apiKeys, close: () => emulators.stop() };
}

/** `verdict keys create|revoke|list`, the same operations as local/keys-cli.ts. */
export async function keysCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      org: { type: 'string' },
      name: { type: 'string', default: 'cli' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const [command, keyId] = positionals;
  if (!command || !['create', 'revoke', 'list'].includes(command) || (command === 'revoke' && !keyId)) {
    throw new CliUsageError(`usage:\n${KEYS_HELP}`);
  }
  const { DEFAULT_ORG, createApiKey } = await import('../../lambdas/core/services/api-keys.js');
  const org = values.org ?? DEFAULT_ORG;
  const { keys, close } = await openKeys(values, io);
  try {
    if (command === 'create') {
      const key = await createApiKey(keys, org, values.name ?? 'cli');
      print(
        io.stdout,
        values.json
          ? JSON.stringify({ keyId: key.keyId, secret: key.secret, org })
          : `key id: ${key.keyId}\nsecret: ${key.secret}\n(the secret is not stored; keep it now)`,
      );
      return 0;
    }
    if (command === 'revoke') {
      const ok = await keys.revoke(keyId!);
      print(
        io.stdout,
        values.json ? JSON.stringify({ keyId, revoked: ok }) : ok ? `revoked ${keyId}` : `no key ${keyId}`,
      );
      return ok ? 0 : 1;
    }
    const list = await keys.list(org);
    print(
      io.stdout,
      values.json
        ? JSON.stringify(list, null, 2)
        : list.map((k) => `${k.keyId}\t${k.name}\t${k.createdAt}${k.revoked ? '\trevoked' : ''}`).join('\n'),
    );
    return 0;
  } finally {
    await close();
  }
}
