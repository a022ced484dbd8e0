import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { DEFAULT_EXPORT_RETENTION_DAYS } from '../lambdas/aws/dynamo/exports.js';

/**
 * Deployment choices read from CDK context: defaults live in cdk.json, and `cdk deploy -c verdict:<name>=<value>`
 * overrides one. Values given on the command line arrive as strings, so each is parsed and checked here.
 */
export interface VerdictSettings {
  /** DynamoDB deletion protection; turn off only for a throwaway stack. */
  tableDeletionProtection: boolean;
  /** Days before S3 deletes a run export (`exports/`). */
  exportExpirationDays: number;
  logRetention: RetentionDays;
  apiThrottle: { rateLimit: number; burstLimit: number };
  /** OpenAI-compatible endpoint for AI metrics and openai_chat systems (OPENAI_BASE_URL); unset means OpenAI. */
  llmBaseUrl?: string;
  /** Minutes without a record after which a run fed through the API without a testset is closed. */
  runIdleCloseMinutes: number;
  /** GitHub's REST API for GitHub-triggered runs (GitHub Enterprise: https://HOST/api/v3); unset means api.github.com. */
  githubApiUrl?: string;
  /** Where the alarm topic sends its notifications by email (a subscription the address must confirm); unset: none. */
  alarmEmail?: string;
}

export const DEFAULT_SETTINGS: VerdictSettings = {
  tableDeletionProtection: true,
  exportExpirationDays: DEFAULT_EXPORT_RETENTION_DAYS,
  logRetention: RetentionDays.ONE_MONTH,
  apiThrottle: { rateLimit: 100, burstLimit: 200 },
  runIdleCloseMinutes: 60,
};

const KNOWN_RETENTIONS = new Set(Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'));

function read(node: Node, name: string): unknown {
  return node.tryGetContext(`verdict:${name}`);
}

function asBoolean(node: Node, name: string, fallback: boolean): boolean {
  const value = read(node, name);
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`Context verdict:${name} must be true or false, got ${JSON.stringify(value)}`);
}

function asInteger(node: Node, name: string, fallback: number, min: number, max: number): number {
  const value = read(node, name);
  if (value === undefined) return fallback;
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new Error(`Context verdict:${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return number;
}

function asUrl(node: Node, name: string): string | undefined {
  const value = read(node, name);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw new Error(`Context verdict:${name} must be a URL, got ${JSON.stringify(value)}`);
  }
  return value;
}

function asEmail(node: Node, name: string): string | undefined {
  const value = read(node, name);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
    throw new Error(`Context verdict:${name} must be an email address, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function readSettings(node: Node): VerdictSettings {
  const logRetention = asInteger(node, 'logRetentionDays', DEFAULT_SETTINGS.logRetention, 1, 3653);
  if (!KNOWN_RETENTIONS.has(logRetention)) {
    throw new Error(
      `Context verdict:logRetentionDays must be one CloudWatch Logs accepts (${[...KNOWN_RETENTIONS].join(', ')})`,
    );
  }
  return {
    tableDeletionProtection: asBoolean(node, 'tableDeletionProtection', DEFAULT_SETTINGS.tableDeletionProtection),
    exportExpirationDays: asInteger(node, 'exportExpirationDays', DEFAULT_SETTINGS.exportExpirationDays, 1, 3650),
    logRetention: logRetention as RetentionDays,
    apiThrottle: {
      rateLimit: asInteger(node, 'apiRateLimit', DEFAULT_SETTINGS.apiThrottle.rateLimit, 1, 10_000),
      burstLimit: asInteger(node, 'apiBurstLimit', DEFAULT_SETTINGS.apiThrottle.burstLimit, 1, 5_000),
    },
    llmBaseUrl: asUrl(node, 'llmBaseUrl'),
    runIdleCloseMinutes: asInteger(node, 'runIdleCloseMinutes', DEFAULT_SETTINGS.runIdleCloseMinutes, 1, 10_080),
    githubApiUrl: asUrl(node, 'githubApiUrl'),
    alarmEmail: asEmail(node, 'alarmEmail'),
  };
}
