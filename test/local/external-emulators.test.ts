import { rmSync } from 'node:fs';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_TABLE, startEmulators } from '../../local/emulators.js';
import { apiClient, startTestStack, tempDataDir } from '../support/stack.js';

const dataDir = tempDataDir('verdict-external-emulators-');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('a stack on emulators it did not start', () => {
  it('serves the API against them, and leaves them running when it stops', async () => {
    const emulators = await startEmulators(dataDir);
    try {
      const stack = await startTestStack({
        dataDir,
        pipeline: false,
        monitors: false,
        emulators: { endpoints: emulators.endpoints, queueUrls: emulators.queueUrls },
      });
      const api = apiClient(stack.url, stack.apiKey);
      expect(await (await fetch(`${stack.url}/health`)).json()).toEqual({
        status: 'ok',
        components: { dynamodb: 'ok', s3: 'ok', sqs: 'ok' },
      });
      const project = await api.post('/projects', { name: 'elsewhere' });
      expect(project.status).toBe(201);
      await stack.stop();

      // Written through the stack, readable from the emulators' owner after the stack is gone.
      const item = await emulators.clients.dynamo.send(
        new GetItemCommand({
          TableName: LOCAL_TABLE,
          Key: { pk: { S: `PROJECT#${project.body.id}` }, sk: { S: '#' } },
        }),
      );
      expect(item.Item?.name?.S).toBe('elsewhere');
    } finally {
      await emulators.stop();
    }
  });
});
