import { type WorkflowDispatch, WorkflowDispatchError, type WorkflowDispatcher } from '../../core/github/ports.js';

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

/** The part of GitHub's error body worth showing: its message, and the first of its `errors` when given. */
async function githubMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { message?: unknown; errors?: Array<{ message?: unknown } | string> };
    const first = body.errors?.[0];
    const detail = typeof first === 'string' ? first : typeof first?.message === 'string' ? first.message : '';
    if (typeof body.message === 'string') return detail ? `${body.message} (${detail})` : body.message;
  } catch {
    // not JSON: show the start of the text
  }
  return text.slice(0, 300) || res.statusText || 'no message';
}

/**
 * GitHub's workflow-dispatch REST call: `POST {base}/repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches`
 * with `{ref, inputs}`, answered 204. The base URL is the operator's (api.github.com, a GitHub Enterprise
 * server's `/api/v3`, a test's fake), so it is not put through the tenants' outbound policy. The token goes only
 * into the Authorization header: no error message or log line carries it.
 */
export class GithubWorkflowDispatcher implements WorkflowDispatcher {
  private readonly base: string;

  constructor(
    baseUrl: string = DEFAULT_GITHUB_API_URL,
    private readonly options: { timeoutMs?: number; fetch?: typeof fetch } = {},
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  async dispatch(request: WorkflowDispatch): Promise<void> {
    const path = ['repos', request.owner, request.repo, 'actions', 'workflows', request.workflow, 'dispatches']
      .map(encodeURIComponent)
      .join('/');
    const url = `${this.base}/${path}`;
    let res: Response;
    try {
      res = await (this.options.fetch ?? fetch)(url, {
        method: 'POST',
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${request.token}`,
          'content-type': 'application/json',
          'user-agent': 'verdict',
          'x-github-api-version': '2022-11-28',
        },
        body: JSON.stringify({ ref: request.ref, inputs: request.inputs }),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
      throw new WorkflowDispatchError(`could not reach the GitHub API at ${this.base}${cause ? `: ${cause}` : ''}`);
    }
    if (res.status === 204 || res.status === 200) {
      await res.body?.cancel();
      return;
    }
    const message = await githubMessage(res);
    const hint =
      res.status === 401
        ? ': the token was refused; PUT the connection again with a valid token'
        : res.status === 404
          ? ': no such repository or workflow file, or the token cannot see it'
          : res.status === 422
            ? ': check the ref and that the workflow has a workflow_dispatch trigger with verdict_run_id and verdict_api_url inputs'
            : '';
    throw new WorkflowDispatchError(`GitHub answered ${res.status} ${message}${hint}`, res.status);
  }
}
