import { VerdictError } from '../errors.js';
import type { Scope } from '../ports.js';
import type { GithubConnection } from '../schemas/github.js';

/** Where a project's GitHub connection lives: the settings in the table, the token in the secret store. */
export interface GithubConnectionRepository {
  /** Creates or replaces the connection; `now` is its updatedAt (and createdAt when new). */
  put(
    scope: Scope,
    connection: Omit<GithubConnection, 'tokenSet' | 'createdAt' | 'updatedAt'>,
    token: string,
    now: string,
  ): Promise<GithubConnection>;
  get(scope: Scope, projectId: string): Promise<GithubConnection | null>;
  /** The stored token, read only to dispatch a workflow; undefined when there is none. */
  token(scope: Scope, projectId: string): Promise<string | undefined>;
  delete(scope: Scope, projectId: string): Promise<boolean>;
}

/** One workflow_dispatch call: which workflow, on which ref, with which inputs, and the token that may start it. */
export interface WorkflowDispatch {
  owner: string;
  repo: string;
  workflow: string;
  ref: string;
  token: string;
  inputs: Record<string, string>;
}

/** GitHub refused the dispatch, or could not be reached: the message is GitHub's (never the token). */
export class WorkflowDispatchError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'WorkflowDispatchError';
  }
}

/** Starts a team's GitHub Actions workflow (GitHub's REST API in AWS and locally; a fake one in tests). */
export interface WorkflowDispatcher {
  /** Resolves once GitHub accepted the dispatch (204); throws WorkflowDispatchError when it did not. */
  dispatch(request: WorkflowDispatch): Promise<void>;
}

/** A deployment that cannot start workflows: connecting or dispatching is a 409 that says why. */
export class GithubNotConfigured implements WorkflowDispatcher {
  constructor(private readonly reason = 'this deployment has no GitHub API configured (GITHUB_API_URL)') {}

  async dispatch(): Promise<void> {
    throw this.error();
  }

  error() {
    return new VerdictError(409, 'github_not_configured', `GitHub workflows cannot be started: ${this.reason}`);
  }
}

/** The GitHub side of the API: connections, the dispatcher, and the address the workflow reports to. */
export interface GithubDeps {
  connections: GithubConnectionRepository;
  dispatcher: WorkflowDispatcher;
  /** The API's public address, handed to the workflow as `verdict_api_url` ('' = the address the request came to). */
  apiUrl: string;
}

/** GitHub deps for a deployment without them: no connection can be stored, and nothing is dispatched. */
export function githubNotConfigured(reason?: string): GithubDeps {
  const dispatcher = new GithubNotConfigured(reason);
  return {
    dispatcher,
    apiUrl: '',
    connections: {
      put: async () => {
        throw dispatcher.error();
      },
      get: async () => null,
      token: async () => undefined,
      delete: async () => false,
    },
  };
}
