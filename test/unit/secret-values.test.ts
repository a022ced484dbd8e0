import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { SecretsManagerValueStore } from '../../lambdas/aws/secret-values.js';

// Only the naming is checked here: no Secrets Manager emulator runs locally, so the client is never called.
const store = new SecretsManagerValueStore({} as SecretsManagerClient, 'verdict/Verdict/tenants/');

describe('Secrets Manager names of project secrets', () => {
  it('put each secret under the prefix, its organization and its project', () => {
    expect(store.secretName({ orgId: 'default', projectId: '01jd3k8m0f4q2w6e8r0t2y4u6i', name: 'AGENT_TOKEN' })).toBe(
      'verdict/Verdict/tenants/default/01jd3k8m0f4q2w6e8r0t2y4u6i/AGENT_TOKEN',
    );
  });

  it.each([
    ['org/a', 'b'],
    ['org', 'a/b'],
    ['org=2F', 'b'],
    ['é', 'b'],
  ])(
    'escapes organization and project ids to Secrets Manager’s alphabet, keeping them apart (%s, %s)',
    (orgId, projectId) => {
      const name = store.secretName({ orgId, projectId, name: 'K' });
      const others = [
        store.secretName({ orgId: 'org', projectId: 'a/b', name: 'K' }),
        store.secretName({ orgId: 'org/a', projectId: 'b', name: 'K' }),
        store.secretName({ orgId: 'org=2F', projectId: 'b', name: 'K' }),
      ].filter((other) => other !== name);

      expect(name).toMatch(/^verdict\/Verdict\/tenants\/[A-Za-z0-9_+=.@-]+\/[A-Za-z0-9_+=.@-]+\/K$/);
      expect(others).not.toContain(name);
      expect(new Set(others).size).toBe(others.length);
    },
  );
});
