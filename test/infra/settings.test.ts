import { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, readSettings } from '../../lib/settings.js';
import { cdkJsonContext } from './support/synth.js';

const settingsFrom = (context: Record<string, unknown>) => readSettings(new App({ context }).node);

describe('deployment settings (CDK context)', () => {
  it('reads cdk.json’s values, which are the documented defaults', () => {
    expect(settingsFrom(cdkJsonContext())).toEqual(DEFAULT_SETTINGS);
  });

  it.each([
    ['verdict:tableDeletionProtection', 'false', { tableDeletionProtection: false }],
    ['verdict:exportExpirationDays', '30', { exportExpirationDays: 30 }],
    ['verdict:logRetentionDays', '365', { logRetention: RetentionDays.ONE_YEAR }],
    ['verdict:apiRateLimit', '5', { apiThrottle: { rateLimit: 5, burstLimit: 200 } }],
    ['verdict:llmBaseUrl', 'https://llm.example.com/v1', { llmBaseUrl: 'https://llm.example.com/v1' }],
    ['verdict:runIdleCloseMinutes', '15', { runIdleCloseMinutes: 15 }],
    [
      'verdict:githubApiUrl',
      'https://github.example.com/api/v3',
      { githubApiUrl: 'https://github.example.com/api/v3' },
    ],
    ['verdict:alarmEmail', 'ops@example.com', { alarmEmail: 'ops@example.com' }],
  ])('parses %s=%s as given on the command line', (key, value, expected) => {
    expect(settingsFrom({ [key]: value })).toMatchObject(expected);
  });

  it.each([
    ['verdict:tableDeletionProtection', 'no', /true or false/],
    ['verdict:exportExpirationDays', '0', /integer from 1/],
    ['verdict:exportExpirationDays', '2.5', /integer from 1/],
    ['verdict:logRetentionDays', '45', /one CloudWatch Logs accepts/],
    ['verdict:llmBaseUrl', 'not a url', /must be a URL/],
    ['verdict:runIdleCloseMinutes', '0', /integer from 1/],
    ['verdict:githubApiUrl', 'github', /must be a URL/],
    ['verdict:alarmEmail', 'ops at example.com', /must be an email address/],
  ])('rejects %s=%s naming the setting', (key, value, message) => {
    expect(() => settingsFrom({ [key]: value })).toThrow(message);
  });
});
