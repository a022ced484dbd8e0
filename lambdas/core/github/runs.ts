import { type CoreDeps, nowIso, requireProject } from '../deps.js';
import { badRequest, VerdictError } from '../errors.js';
import type { Scope } from '../ports.js';
import { finalizeRun, storedScoreTallies } from '../runs/finalize.js';
import { createRun, rerunInput } from '../runs/lifecycle.js';
import { presentRun } from '../runs/status.js';
import type { GithubConnection, PutGithubConnection } from '../schemas/github.js';
import type { CreateRun, Run } from '../schemas/run.js';
import type { SystemConfigDeps } from '../services/system-config-check.js';
import { addSystemVersion, upsertSystem } from '../services/systems.js';
import { type GithubDeps, GithubNotConfigured, WorkflowDispatchError } from './ports.js';

type Deps = CoreDeps & SystemConfigDeps & { github: GithubDeps };

/** PUT /projects/{id}/github: stores where the workflow lives; the token goes to the secret store only. */
export async function connectGithub(
  deps: Deps,
  scope: Scope,
  projectId: string,
  input: PutGithubConnection,
): Promise<GithubConnection> {
  await requireProject(deps, scope, projectId);
  const { token, ...where } = input;
  return deps.github.connections.put(scope, { projectId, ...where }, token, nowIso(deps));
}

export async function requireGithubConnection(deps: Deps, scope: Scope, projectId: string) {
  // A deployment without GitHub says so, rather than that this project is not connected.
  if (deps.github.dispatcher instanceof GithubNotConfigured) throw deps.github.dispatcher.error();
  const connection = await deps.github.connections.get(scope, projectId);
  if (!connection) {
    throw new VerdictError(
      409,
      'github_not_connected',
      `project ${projectId} has no GitHub connection: PUT /projects/${projectId}/github {owner, repo, workflow, ref, token} first`,
    );
  }
  return connection;
}

/**
 * The system a GitHub-run evaluation is attached to: one "GitHub Actions" system per project, a version per
 * workflow (an `external` config naming it), so runs of one workflow compare as one system's.
 */
async function workflowSystemVersion(deps: Deps, scope: Scope, connection: GithubConnection) {
  const { system } = await upsertSystem(deps, scope, connection.projectId, {
    name: 'GitHub Actions',
    description: 'Runs your own system in a GitHub Actions workflow (verdict run --run-id)',
  });
  const { owner, repo, workflow, ref } = connection;
  const { version } = await addSystemVersion(deps, scope, system.id, {
    name: `${owner}/${repo} ${workflow}@${ref}`.slice(0, 200),
    config: { type: 'external', github: { owner, repo, workflow, ref } },
  });
  return version;
}

/**
 * POST /projects/{id}/runs {execution: "github"}: creates the run (source kickoff, an external system version)
 * and asks GitHub to start the connected workflow with `{verdict_run_id, verdict_api_url}`; the workflow fills
 * the run with `verdict run --run-id`. A dispatch GitHub refuses (or cannot be reached for) fails the run with
 * GitHub's message; a deployment without GitHub fails it too and answers 409.
 */
export async function startGithubRun(
  deps: Deps,
  scope: Scope,
  projectId: string,
  input: CreateRun,
  /** Where the request reached the API, for a deployment that does not know its public URL. */
  requestOrigin: string,
  lineage: { rerunOf?: string } = {},
): Promise<Run> {
  await requireProject(deps, scope, projectId);
  if (!input.testsetId) {
    throw badRequest('a GitHub run needs a testset: the workflow runs your system over its testcases', [
      { path: 'testsetId', message: 'is required with execution "github"' },
    ]);
  }
  if (input.systemVersionId) {
    throw badRequest('a GitHub run is attached to its workflow’s system version; leave systemVersionId out', [
      { path: 'systemVersionId', message: 'must be absent with execution "github"' },
    ]);
  }
  const connection = await requireGithubConnection(deps, scope, projectId);
  const version = await workflowSystemVersion(deps, scope, connection);
  const run = await createRun(
    deps,
    scope,
    projectId,
    { ...input, source: 'kickoff', systemVersionId: version.id },
    { ...lineage, runsOutside: true },
  );
  const token = await deps.github.connections.token(scope, projectId);
  try {
    if (!token) throw new WorkflowDispatchError('no GitHub token is stored; PUT the connection again with a token');
    await deps.github.dispatcher.dispatch({
      owner: connection.owner,
      repo: connection.repo,
      workflow: connection.workflow,
      ref: connection.ref,
      token,
      inputs: { verdict_run_id: run.id, verdict_api_url: deps.github.apiUrl || requestOrigin },
    });
  } catch (error) {
    const refused = error instanceof WorkflowDispatchError || error instanceof VerdictError;
    if (!refused) throw error;
    // Through the one status decision: a workflow that never started fails the run, with GitHub's reason.
    const where = `${connection.owner}/${connection.repo} ${connection.workflow}@${connection.ref}`;
    await finalizeRun(
      deps,
      {
        runId: run.id,
        orgId: scope.orgId,
        error: { Error: 'GitHub.DispatchFailed', Cause: `GitHub did not start workflow ${where}: ${error.message}` },
      },
      storedScoreTallies(deps),
    );
    if (error instanceof VerdictError) throw error;
  }
  return presentRun((await deps.runs.get(scope, run.id)) ?? run);
}

/**
 * "Run again" on a run a GitHub workflow filled: the project's connected workflow is started again for a new run
 * over the same testset and metrics (Verdict cannot run that system itself). Null for any other run.
 */
export async function rerunOnGithub(deps: Deps, scope: Scope, run: Run, requestOrigin: string): Promise<Run | null> {
  const version = run.systemVersionId ? await deps.systems.getVersion(scope, run.systemVersionId) : null;
  if (version?.config.type !== 'external' || !('github' in version.config)) return null;
  const input: CreateRun = { ...rerunInput(run), systemVersionId: undefined, execution: 'github' };
  return startGithubRun(deps, scope, run.projectId, input, requestOrigin, { rerunOf: run.id });
}
