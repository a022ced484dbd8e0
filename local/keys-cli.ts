process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { parseArgs } from 'node:util';
import { createAwsClients } from '../lambdas/aws/clients.js';
import { createRepositories } from '../lambdas/aws/repositories.js';
import { createApiKey, DEFAULT_ORG } from '../lambdas/core/services/api-keys.js';
import { LOCAL_BUCKET, LOCAL_TABLE, openDataDirEmulators } from './emulators.js';

/**
 * `npm run keys`: the one keys command. Keys are written straight to the data store (there is no keys HTTP API),
 * so this is server-side code and lives here, never in sdk/ (what users install; its `verdict keys` points here).
 */
const USAGE = `usage: npm run keys -- <create|revoke|list> [options]
  create [--org ORG] [--name NAME]   create a key; its secret is printed once (stored only as a SHA-256 hash)
  revoke KEY_ID                      revoke a key
  list [--org ORG]                   list keys (ids and names, never secrets)
  --data-dir DIR                     the local data dir (default VERDICT_DATA_DIR, else .verdict); works while
                                     npm start runs on it, through its emulators
  --table NAME [--region R]          act on a deployed DynamoDB table with your AWS credentials instead
  --json                             print JSON`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    org: { type: 'string', default: DEFAULT_ORG },
    name: { type: 'string', default: 'cli' },
    'data-dir': { type: 'string' },
    table: { type: 'string' },
    region: { type: 'string' },
    json: { type: 'boolean', default: false },
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
  const dataDir = values['data-dir'] ?? process.env.VERDICT_DATA_DIR ?? '.verdict';
  const emulators = await openDataDirEmulators(dataDir).catch((error: unknown) => {
    throw new Error(`could not open the data in ${dataDir}: ${error instanceof Error ? error.message : error}`);
  });
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
  // One line for the operator (a data dir another process holds, a port in use), never a stack trace.
  console.error(`keys: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
const { repos, close } = opened;
const org = values.org!;
try {
  if (command === 'create') {
    const key = await createApiKey(repos.apiKeys, org, values.name!);
    console.log(
      values.json
        ? JSON.stringify({ keyId: key.keyId, secret: key.secret, org })
        : `key id: ${key.keyId}\nsecret: ${key.secret}\n(the secret is not stored; keep it now)`,
    );
  } else if (command === 'revoke') {
    const ok = await repos.apiKeys.revoke(arg!);
    console.log(values.json ? JSON.stringify({ keyId: arg, revoked: ok }) : ok ? `revoked ${arg}` : `no key ${arg}`);
    process.exitCode = ok ? 0 : 1;
  } else {
    const keys = await repos.apiKeys.list(org);
    if (values.json) console.log(JSON.stringify(keys, null, 2));
    else
      for (const key of keys)
        console.log(`${key.keyId}\t${key.name}\t${key.createdAt}${key.revoked ? '\trevoked' : ''}`);
  }
} finally {
  await close();
}
