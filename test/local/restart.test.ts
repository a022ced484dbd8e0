import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, startTestStack, tempDataDir } from '../support/stack.js';

const dataDir = tempDataDir('verdict-restart-');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the embedded stack', () => {
  it('keeps every object and the admin key across a restart', async () => {
    const first = await startTestStack({ dataDir });
    const api = apiClient(first.url, first.apiKey);
    const health = await fetch(`${first.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      components: { dynamodb: 'ok', s3: 'ok', sqs: 'ok', pipeline: 'ok' },
    });

    const project = (await api.post('/projects', { name: 'durable' })).body;
    const testset = (await api.post(`/projects/${project.id}/testsets`, { name: 't' })).body;
    const big = 'x'.repeat(350_000); // overflows to S3, which must persist too
    await api.post(`/testsets/${testset.id}/testcases`, { items: [{ jsonData: { big } }, { jsonData: { small: 1 } }] });
    const run = (await api.post(`/projects/${project.id}/runs`, { metricIds: [] })).body;
    await api.post(`/runs/${run.id}/records`, { outputs: { response: 'kept' } });
    const page1 = await api.get(`/testsets/${testset.id}/testcases?limit=1`);
    await first.stop();

    const second = await startTestStack({ dataDir });
    try {
      expect(second.apiKey).toBe(first.apiKey);
      const again = apiClient(second.url, second.apiKey);
      expect((await again.get(`/projects/${project.id}`)).body.name).toBe('durable');
      const testcases = await again.get(`/testsets/${testset.id}/testcases?limit=10`);
      expect(testcases.body.data.map((t: { jsonData: object }) => t.jsonData)).toEqual([{ big }, { small: 1 }]);
      // Cursors issued before the restart still work: the signing secret persists with the data.
      const page2 = await again.get(
        `/testsets/${testset.id}/testcases?limit=1&cursor=${encodeURIComponent(page1.body.nextCursor)}`,
      );
      expect(page2.body.data[0].jsonData).toEqual({ small: 1 });
      expect((await again.get(`/runs/${run.id}/records`)).body.data[0].outputs).toEqual({ response: 'kept' });
    } finally {
      await second.stop();
    }
  });
});
