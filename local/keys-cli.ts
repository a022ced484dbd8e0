process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { parseArgs } from 'node:util';
import { createAwsClients } from '../lambdas/aws/clients.js';
import { createRepositories } from '../lambdas/aws/repositories.js';
import { createApiKey, DEFAULT_ORG } from '../lambdas/core/services/api-keys.js';
import { LOCAL_BUCKET, LOCAL_TABLE, openDataDirEmulators } from './emulators.js';

const USAGE = `usage: npm run keys -- <create|revoke|list> [options]
  create [--org ORG] [--name NAME]   create a key; its secret is printed once
  revoke KEY_ID                      revoke a key
  list [--org ORG]                   list keys (ids and names, never secrets)
  --table NAME [--region R]          act on a deployed DynamoDB table instead of the local data dir
                                     (VERDICT_DATA_DIR, default .verdict; works while npm start runs on it)`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    org: { type: 'string', default: DEFAULT_ORG },
    name: { type: 'string', default: 'cli' },
    table: { type: 'string' },
    region: { type: 'string' },
  },
});
const [command, arg] = positionals;

async function open() {
  if (values.table) {
    const clients = createAwsClients({ region: values.region ?? process.env.AWS_REGION ?? 'us-east-1' });
    return {
      repos: createRepositories(clients, { tableName: values.table, bucketName: 'unused' }),
      close: async () => {},
    };
  }
  // The running stack's emulators when `npm start` holds the data dir, otherwise our own.
  const emulators = await openDataDirEmulators(process.env.VERDICT_DATA_DIR ?? '.verdict');
  return {
    repos: createRepositories(emulators.clients, { tableName: LOCAL_TABLE, bucketName: LOCAL_BUCKET }),
    close: () => emulators.stop(),
  };
}

if (!command || !['create', 'revoke', 'list'].includes(command) || (command === 'revoke' && !arg)) {
  console.error(USAGE);
  process.exit(2);
}
let opened: Awaited<ReturnType<typeof open>>;
try {
  opened = await open();
} catch (error) {
  console.error(`keys: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
const { repos, close } = opened;
try {
  if (command === 'create') {
    const key = await createApiKey(repos.apiKeys, values.org!, values.name!);
    console.log(`key id: ${key.keyId}\nsecret: ${key.secret}\n(the secret is not stored; keep it now)`);
  } else if (command === 'revoke') {
    const ok = await repos.apiKeys.revoke(arg!);
    console.log(ok ? `revoked ${arg}` : `no key ${arg}`);
    process.exitCode = ok ? 0 : 1;
  } else {
    for (const key of await repos.apiKeys.list(values.org!)) {
      console.log(`${key.keyId}\t${key.name}\t${key.createdAt}${key.revoked ? '\trevoked' : ''}`);
    }
  }
} finally {
  await close();
}
