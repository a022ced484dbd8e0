import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../lambdas/core/auth.js';
import { DEFAULT_ORG } from '../../lambdas/core/services/api-keys.js';
import { LOCAL_TABLE } from '../../local/emulators.js';
import { type FakeAgent, startFakeAgent } from '../support/fake-llm.js';
import { type ApiClient, apiClient, fieldPaths } from '../support/stack.js';
import { createSystem, dynamoHeaders, runOnce, seedProject, type TestStack, twoOrganizations } from './support.js';

/**
 * Issue 12, point 1: an `http` system is a request the server makes for a tenant. Organization B points one at
 * the stack's own DynamoDB emulator to read organization A's items (Scan) or to mint itself a key to A's data
 * (PutItem of an API-key item). Before the outbound URL policy both worked: 977 of A's items came back as the
 * record's output, and the injected key answered 200 on A's project.
 */
const MARKER = `alice-only-${randomBytes(6).toString('hex')}`;

describe.each([
  { allowPrivateUrls: true, mode: 'private URLs allowed (the emulator’s port is denied)' },
  { allowPrivateUrls: false, mode: 'private URLs not allowed' },
])('organization B against the stack’s DynamoDB emulator, $mode', ({ allowPrivateUrls }) => {
  let stack: TestStack;
  let a: ApiClient;
  let b: ApiClient;
  let aProject: string;
  let bSeed: Awaited<ReturnType<typeof seedProject>>;
  let dynamoPort: string;
  let agent: FakeAgent;

  beforeAll(async () => {
    ({ stack, a, b } = await twoOrganizations({ allowPrivateUrls }));
    aProject = (await seedProject(a, { question: MARKER, answer: MARKER })).projectId;
    bSeed = await seedProject(b);
    dynamoPort = new URL(stack.core.emulators.endpoints.dynamodb!).port;
    agent = await startFakeAgent();
  });
  afterAll(async () => {
    await agent?.close();
    await stack?.stop();
  });

  const scan = (host: string) => ({
    type: 'http',
    url: `http://${host}:${dynamoPort}/`,
    headers: dynamoHeaders('Scan'),
    body: JSON.stringify({ TableName: LOCAL_TABLE }),
  });

  it('refuses the emulator’s address at create time with a 400 naming config.url', async () => {
    for (const host of ['127.0.0.1', '127.1', '2130706433', '[::ffff:127.0.0.1]']) {
      const res = await createSystem(b, bSeed.projectId, scan(host));

      expect(res.status, host).toBe(400);
      expect(fieldPaths(res.body)).toEqual(['config.url']);
      expect(res.body.message).toBe('invalid config.url');
      expect(JSON.stringify(res.body.details)).toMatch(/refused by the outbound URL policy/);
    }
  });

  it('errors the record of a Scan through a name that resolves to it, naming the policy, with none of A’s items', async () => {
    const record = await runOnce(b, bSeed, scan('localhost'));

    expect(record.status).toBe('errored');
    expect(record.error).toMatch(/^refused by the outbound URL policy: localhost resolves to (127\.0\.0\.1|::1)/);
    expect(record.error).toMatch(allowPrivateUrls ? /belongs to the stack itself/ : /VERDICT_ALLOW_PRIVATE_URLS=1/);
    expect(JSON.stringify(record)).not.toContain(MARKER);
  });

  it('creates no working key from a PutItem of an API-key item', async () => {
    const secret = `vk_${randomBytes(24).toString('base64url')}`;
    const item = {
      pk: { S: `APIKEY#${hashApiKey(secret)}` },
      sk: { S: '#' },
      type: { S: 'apiKey' },
      keyId: { S: 'key_injected' },
      orgId: { S: DEFAULT_ORG },
      name: { S: 'injected' },
      createdAt: { S: new Date().toISOString() },
      revoked: { BOOL: false },
    };
    const record = await runOnce(b, bSeed, {
      type: 'http',
      url: `http://localhost:${dynamoPort}/`,
      headers: dynamoHeaders('PutItem'),
      body: JSON.stringify({ TableName: LOCAL_TABLE, Item: item }),
    });

    expect(record.status).toBe('errored');
    expect(record.error).toMatch(/refused by the outbound URL policy/);
    expect((await apiClient(stack.url, secret).get(`/projects/${aProject}`)).status).toBe(401);
    expect((await a.get(`/projects/${aProject}`)).status).toBe(200);
  });

  it.runIf(allowPrivateUrls)('does not follow an allowed agent’s redirect to the emulator', async () => {
    // 307 keeps the method and body, and the query carries the (unchecked) signature that a cross-origin
    // redirect's dropped Authorization header would have: a client that followed it would post the Scan.
    const signedQuery = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKID/20250101/us-east-1/dynamodb/aws4_request',
      'X-Amz-Date': '20250101T000000Z',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': '00',
    });
    agent.respond(() => ({ status: 307, headers: { location: `http://127.0.0.1:${dynamoPort}/?${signedQuery}` } }));

    const record = await runOnce(b, bSeed, { ...scan('127.0.0.1'), url: `${agent.url}/agent` });

    expect(record.status).toBe('errored');
    expect(record.error).toMatch(
      /answered HTTP 307, a redirect to http:\/\/127\.0\.0\.1:\d+\/: redirects are not followed/,
    );
    expect(JSON.stringify(record)).not.toContain(MARKER);
    expect(agent.requests).toHaveLength(1);
  });
});
