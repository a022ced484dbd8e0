import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file so the CLI, the tests and the bench agree whatever their cwd. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const repoPath = (relative: string) => fileURLToPath(new URL(`../${relative}`, import.meta.url));

/** Every Lambda the stack deploys, by the name used for its construct id, log group and bundle. */
export const LAMBDA_ENTRIES = {
  api: 'lambdas/api/handler.ts',
  executor: 'lambdas/executor/handler.ts',
  scorer: 'lambdas/scorer/handler.ts',
  prepareRun: 'lambdas/workflow/prepare-run.ts',
  markBatchErrored: 'lambdas/workflow/mark-batch-errored.ts',
  finalizeRun: 'lambdas/workflow/finalize-run.ts',
  monitor: 'lambdas/monitor/handler.ts',
  exporter: 'lambdas/exporter/handler.ts',
} as const;

export type LambdaName = keyof typeof LAMBDA_ENTRIES;

export const LAMBDA_NAMES = Object.keys(LAMBDA_ENTRIES) as LambdaName[];

/**
 * Bundle budgets. The api answers interactive requests, so its cold start matters most; workers pull in the
 * LLM client and the metric libraries and are allowed twice as much.
 */
export const BUNDLE_SIZE_LIMITS: Record<LambdaName, number> = {
  // The URL policy, project secrets and the Playground route took it just past 1 MB (1.01 MB): issue 14's note.
  // Finishing runs and GitHub-triggered runs (1.056 MB, issue 16); bundling the AWS SDK it uses rather than the
  // runtime's (issue 15) took it past 1.6 MB.
  api: 1_750_000,
  executor: 2_000_000,
  scorer: 2_000_000,
  prepareRun: 2_000_000,
  markBatchErrored: 2_000_000,
  finalizeRun: 2_000_000,
  monitor: 2_000_000,
  exporter: 2_000_000,
};

export const entryPath = (name: LambdaName) => repoPath(LAMBDA_ENTRIES[name]);

export const entryExists = (name: LambdaName) => existsSync(entryPath(name));

export const RUN_EVALUATION_ASL_PATH = repoPath('statemachines/run-evaluation.asl.json');
