import * as z from 'zod';

/**
 * Everything a Lambda reads from its environment, validated once at cold start. A missing variable fails fast
 * with its name, instead of surfacing later as an undefined table or queue.
 */
const LambdaEnv = z.object({
  AWS_REGION: z.string().min(1).default('us-east-1'),
  TABLE_NAME: z.string().min(1),
  BUCKET_NAME: z.string().min(1),
  CURSOR_SECRET_ARN: z.string().min(1).optional(),
  LLM_SECRET_ARN: z.string().min(1).optional(),
  /** Secrets Manager name prefix of the project secrets (`verdict/<stack>/tenants/`): api writes, executor reads. */
  TENANT_SECRETS_PREFIX: z.string().min(1).optional(),
  EXECUTOR_QUEUE_URL: z.string().min(1).optional(),
  SCORER_QUEUE_URL: z.string().min(1).optional(),
  /** The worker's own dead-letter queue, which it also consumes: a message from it marks its records errored. */
  DEAD_LETTER_QUEUE_ARN: z.string().min(1).optional(),
  /** The export worker's queue: the api sends export jobs to it. */
  EXPORT_QUEUE_URL: z.string().min(1).optional(),
  STATE_MACHINE_ARN: z.string().min(1).optional(),
  SCHEDULE_GROUP_NAME: z.string().min(1).optional(),
  MONITOR_FUNCTION_ARN: z.string().min(1).optional(),
  SCHEDULER_ROLE_ARN: z.string().min(1).optional(),
  PUBLIC_URL: z.string().optional(),
  /** GitHub's REST API (GitHub Enterprise: https://HOST/api/v3); api.github.com when unset. */
  GITHUB_API_URL: z.string().url().optional(),
  /** Runs fed through the API without a testset close after this many minutes without a record (default 60). */
  RUN_IDLE_CLOSE_MINUTES: z.coerce.number().int().min(1).optional(),
  /** Runs Verdict executes are settled after this many minutes without a counted record or score (default 180). */
  RUN_STUCK_MINUTES: z.coerce.number().int().min(1).optional(),
  /** Days an export is kept (the bucket's lifecycle rule for exports/); export items expire with their files. */
  EXPORT_RETENTION_DAYS: z.coerce.number().int().min(1).optional(),
  /** An organization's cap on concurrent system and judge calls across all its runs and workers. */
  ORG_MAX_CONCURRENCY: z.coerce.number().int().min(1).optional(),
});
export type LambdaConfig = z.infer<typeof LambdaEnv>;

export function readLambdaConfig(env: NodeJS.ProcessEnv = process.env): LambdaConfig {
  const parsed = LambdaEnv.safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`Lambda configuration is incomplete: set ${names}`);
  }
  return parsed.data;
}
