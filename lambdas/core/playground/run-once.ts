import { notFound } from '../errors.js';
import { withRetries } from '../llm/retry.js';
import type { Scope } from '../ports.js';
import type { PlaygroundRequest, PlaygroundResult } from '../schemas/playground.js';
import type { SystemConfig } from '../schemas/system.js';
import type { ProjectSecretReader } from '../secrets/ports.js';
import { type CoreDeps, requireProject } from '../services/deps.js';
import { checkSystemConfig, type SystemConfigDeps } from '../services/system-config-check.js';
import { runSystem, type SystemDeps } from '../systems/index.js';

/**
 * What the Playground needs beyond storage: the pipeline's own system collaborators (LLM, guarded fetch,
 * prices), the project's secrets, and the checks a config gets when it is saved.
 */
export type PlaygroundDeps = CoreDeps &
  SystemConfigDeps & {
    system: Omit<SystemDeps, 'signal' | 'secrets'>;
    secretValues: ProjectSecretReader;
  };

/** Runs the Playground's one call; `noPlayground` where a deployment runs no systems in-request. */
export interface PlaygroundRunner {
  run(scope: Scope, projectId: string, request: PlaygroundRequest): Promise<PlaygroundResult>;
}

export const playgroundRunner = (deps: PlaygroundDeps): PlaygroundRunner => ({
  run: (scope, projectId, request) => runPlayground(deps, scope, projectId, request),
});

/** Fewer tries than the pipeline: a person is waiting, and the API Gateway stops waiting after 30 s. */
const PLAYGROUND_RETRY = { attempts: 2, maxRetryAfterMs: 5_000 };
const PLAYGROUND_TIMEOUT_MS = 25_000;

/**
 * Runs a system once on one testcase, through the same `runSystem` the executor uses, and stores nothing. A
 * failure of the system is the answer (status errored), not an API error: the Playground shows it.
 */
export async function runPlayground(
  deps: PlaygroundDeps,
  scope: Scope,
  projectId: string,
  request: PlaygroundRequest,
): Promise<PlaygroundResult> {
  await requireProject(deps, scope, projectId);
  const config = await configOf(deps, scope, projectId, request);
  const { inputs, expected } = await inputsOf(deps, scope, projectId, request);
  // An edited config is checked as a saved one would be: the same URL policy, only this project's secrets.
  if (request.config) await checkSystemConfig(deps, scope, projectId, config);
  const signal = AbortSignal.timeout(PLAYGROUND_TIMEOUT_MS);
  const secrets = async (name: string) => deps.secretValues.value(scope, projectId, name);
  try {
    const result = await withRetries(
      () => runSystem(config, inputs, { ...deps.system, secrets, signal }),
      PLAYGROUND_RETRY,
    );
    return { status: 'completed', inputs, expected, error: null, ...result };
  } catch (error) {
    const message = signal.aborted
      ? `the system did not answer within ${PLAYGROUND_TIMEOUT_MS / 1000} s`
      : error instanceof Error
        ? error.message
        : String(error);
    return {
      status: 'errored',
      inputs,
      expected,
      outputs: {},
      error: message,
      latencyMs: null,
      usage: null,
      costUsd: null,
    };
  }
}

async function configOf(deps: CoreDeps, scope: Scope, projectId: string, request: PlaygroundRequest) {
  if (request.config) return request.config as SystemConfig;
  const id = request.systemVersionId!;
  const version = await deps.systems.getVersion(scope, id);
  if (!version || version.projectId !== projectId) throw notFound('system version', id);
  return version.config;
}

async function inputsOf(deps: CoreDeps, scope: Scope, projectId: string, request: PlaygroundRequest) {
  if (request.inputs) return { inputs: request.inputs, expected: {} };
  const id = request.testcaseId!;
  const testcase = await deps.testcases.get(scope, id);
  const testset = testcase ? await deps.testsets.get(scope, testcase.testsetId) : null;
  if (!testcase || testset?.projectId !== projectId) throw notFound('testcase', id);
  return { inputs: testcase.inputs, expected: testcase.expected };
}
