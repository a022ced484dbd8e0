import { VerdictApiError } from './errors.js';
import { type QueryValue, type RequestOptions, Transport, type TransportOptions } from './http.js';
import { PageIterator } from './paging.js';
import { type RunAndEvaluateOptions, type RunAndEvaluateResult, runAndEvaluate } from './run-and-evaluate.js';
import type {
  CreateMetricInput,
  CreateProjectInput,
  CreateRecordInput,
  CreateRecordsExportInput,
  CreateRunExportInput,
  CreateRunInput,
  CreateSystemVersionInput,
  CreateTestsetInput,
  ExportJob,
  GithubConnection,
  ListParams,
  Metric,
  Page,
  PlaygroundInput,
  PlaygroundResult,
  Project,
  PutGithubConnectionInput,
  RecordSearchFilter,
  RecordWithScores,
  RescoreRunInput,
  Run,
  RunComparison,
  RunHistory,
  RunHistoryParams,
  RunRecord,
  RunSource,
  Score,
  ScoreValue,
  System,
  SystemVersion,
  Testcase,
  TestcaseItem,
  Testset,
  UpdateMetricInput,
  UpdateRunInput,
  UpdateSystemInput,
  UpdateTestsetInput,
  UpsertSystemInput,
} from './types.js';
import { type WaitForExportOptions, waitForExport } from './wait-for-export.js';
import { type WaitForRunOptions, waitForRun } from './wait-for-run.js';

export interface VerdictClientOptions extends Partial<TransportOptions> {
  /** Where VERDICT_API_URL / VERDICT_API_KEY are read from when baseURL / apiKey are not given. */
  env?: Record<string, string | undefined>;
}

/** Per-call options: an AbortSignal, a timeout, retries, or an Idempotency-Key of your own for POSTs. */
export type CallOptions = Pick<RequestOptions, 'signal' | 'timeoutMs' | 'maxRetries' | 'idempotencyKey'>;

type Success = { success: true };
const enc = encodeURIComponent;

/**
 * A typed client for Verdict's /api/v2 (and so for Scorecard's v2 API shapes). Lists return auto-paging
 * iterators; errors are VerdictApiError with the API's status, code and details.
 */
export class VerdictClient {
  readonly http: Transport;

  constructor(options: VerdictClientOptions = {}) {
    // The browser has no process: the web app passes baseURL and apiKey itself.
    const env =
      options.env ?? (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
    this.http = new Transport({
      ...options,
      baseURL: options.baseURL ?? env.VERDICT_API_URL ?? 'http://127.0.0.1:8787',
      apiKey: options.apiKey ?? env.VERDICT_API_KEY ?? '',
    });
  }

  /** Runs your own `system` over a testset and posts each record as it completes; see runAndEvaluate. */
  runAndEvaluate(options: RunAndEvaluateOptions): Promise<RunAndEvaluateResult> {
    return runAndEvaluate(this, options);
  }

  /** Polls until the run is final (or awaits human scores) and returns it with its aggregates. */
  waitForRun(runId: string, options?: WaitForRunOptions) {
    return waitForRun(this, runId, options);
  }

  /** The full API address of a path, e.g. `client.url('/runs/' + id)`. */
  url(path: string): string {
    return this.http.url(path);
  }

  private get<T>(path: string, opts?: CallOptions & { query?: Record<string, QueryValue> }) {
    return this.http.request<T>('GET', path, opts);
  }
  private post<T>(path: string, body: unknown, opts?: CallOptions) {
    return this.http.request<T>('POST', path, { ...opts, body: body ?? {} });
  }
  private send<T>(method: 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, opts?: CallOptions) {
    return this.http.request<T>(method, path, { ...opts, body });
  }
  private list<T>(path: string, params: ListParams & Record<string, QueryValue> = {}, opts?: CallOptions) {
    const { limit = 100, ...filters } = params;
    return new PageIterator<T>((cursor) => this.get<Page<T>>(path, { ...opts, query: { ...filters, limit, cursor } }));
  }

  readonly projects = {
    create: (body: CreateProjectInput, o?: CallOptions) => this.post<Project>('/projects', body, o),
    get: (id: string, o?: CallOptions) => this.get<Project>(`/projects/${enc(id)}`, o),
    list: (p?: ListParams, o?: CallOptions) => this.list<Project>('/projects', p, o),
  };

  readonly testsets = {
    create: (projectId: string, body: CreateTestsetInput, o?: CallOptions) =>
      this.post<Testset>(`/projects/${enc(projectId)}/testsets`, body, o),
    get: (id: string, o?: CallOptions) => this.get<Testset>(`/testsets/${enc(id)}`, o),
    update: (id: string, body: UpdateTestsetInput, o?: CallOptions) =>
      this.send<Testset>('PATCH', `/testsets/${enc(id)}`, body, o),
    delete: (id: string, o?: CallOptions) => this.send<Success>('DELETE', `/testsets/${enc(id)}`, undefined, o),
    list: (projectId: string, p?: ListParams, o?: CallOptions) =>
      this.list<Testset>(`/projects/${enc(projectId)}/testsets`, p, o),
  };

  readonly testcases = {
    /** 1–100 items per call, as the API takes them. */
    create: (testsetId: string, items: TestcaseItem[], o?: CallOptions) =>
      this.post<{ items: Testcase[] }>(`/testsets/${enc(testsetId)}/testcases`, { items }, o),
    get: (id: string, o?: CallOptions) => this.get<Testcase>(`/testcases/${enc(id)}`, o),
    update: (id: string, jsonData: Record<string, unknown>, o?: CallOptions) =>
      this.send<Testcase>('PUT', `/testcases/${enc(id)}`, { jsonData }, o),
    bulkDelete: (ids: string[], o?: CallOptions) => this.post<Success>('/testcases/bulk-delete', { ids }, o),
    list: (testsetId: string, p?: ListParams, o?: CallOptions) =>
      this.list<Testcase>(`/testsets/${enc(testsetId)}/testcases`, p, o),
  };

  readonly metrics = {
    create: (projectId: string, body: CreateMetricInput, o?: CallOptions) =>
      this.post<Metric>(`/projects/${enc(projectId)}/metrics`, body, o),
    get: (id: string, o?: CallOptions) => this.get<Metric>(`/metrics/${enc(id)}`, o),
    update: (id: string, body: UpdateMetricInput, o?: CallOptions) =>
      this.send<Metric>('PATCH', `/metrics/${enc(id)}`, body, o),
    delete: (id: string, o?: CallOptions) => this.send<Success>('DELETE', `/metrics/${enc(id)}`, undefined, o),
    list: (projectId: string, p?: ListParams, o?: CallOptions) =>
      this.list<Metric>(`/projects/${enc(projectId)}/metrics`, p, o),
  };

  readonly systems = {
    /** Creates the system, or updates the one of that name in the project. */
    upsert: (projectId: string, body: UpsertSystemInput, o?: CallOptions) =>
      this.post<System>(`/projects/${enc(projectId)}/systems`, body, o),
    get: (id: string, o?: CallOptions) => this.get<System>(`/systems/${enc(id)}`, o),
    update: (id: string, body: UpdateSystemInput, o?: CallOptions) =>
      this.send<System>('PATCH', `/systems/${enc(id)}`, body, o),
    delete: (id: string, o?: CallOptions) => this.send<Success>('DELETE', `/systems/${enc(id)}`, undefined, o),
    list: (projectId: string, p?: ListParams, o?: CallOptions) =>
      this.list<System>(`/projects/${enc(projectId)}/systems`, p, o),
    getVersion: (versionId: string, o?: CallOptions) =>
      this.get<SystemVersion>(`/systems/versions/${enc(versionId)}`, o),
    /** Returns the existing version when one with the same config exists. */
    createVersion: (systemId: string, body: CreateSystemVersionInput, o?: CallOptions) =>
      this.post<SystemVersion>(`/systems/${enc(systemId)}/versions`, body, o),
  };

  readonly runs = {
    create: (projectId: string, body: CreateRunInput, o?: CallOptions) =>
      this.post<Run>(`/projects/${enc(projectId)}/runs`, body, o),
    get: (id: string, o?: CallOptions) => this.get<Run>(`/runs/${enc(id)}`, o),
    update: (id: string, body: UpdateRunInput, o?: CallOptions) => this.send<Run>('PATCH', `/runs/${enc(id)}`, body, o),
    /** Newest first. */
    list: (projectId: string, p?: ListParams & { source?: RunSource }, o?: CallOptions) =>
      this.list<Run>(`/projects/${enc(projectId)}/runs`, p, o),
    cancel: (id: string, o?: CallOptions) => this.post<Run>(`/runs/${enc(id)}/cancel`, undefined, o),
    /** No more records: the run scores what it has and completes (later records get a 409). Safe to repeat. */
    finish: (id: string, o?: CallOptions) => this.post<Run>(`/runs/${enc(id)}/finish`, undefined, o),
    rescore: (id: string, body: RescoreRunInput, o?: CallOptions) =>
      this.post<Run>(`/runs/${enc(id)}/rescore`, body, o),
    rerun: (id: string, o?: CallOptions) => this.post<Run>(`/runs/${enc(id)}/rerun`, undefined, o),
    /** Per-metric difference against a baseline run, with a 95% paired-bootstrap interval. */
    compare: (id: string, baselineRunId: string, o?: CallOptions) =>
      this.get<RunComparison>(`/runs/${enc(id)}/compare`, { ...o, query: { baseline: baselineRunId } }),
    /**
     * A CSV of every record and score in S3, behind a presigned URL that expires: asks for the export and waits
     * until the export worker has written it (`startExport` only asks).
     */
    export: async (id: string, body?: CreateRunExportInput, o?: CallOptions & { wait?: WaitForExportOptions }) =>
      waitForExport(this, (await this.runs.startExport(id, body, o)).id, { signal: o?.signal, ...o?.wait }),
    /** Asks for a run export (202, pending); follow it with `exports.get` or `exports.wait`. */
    startExport: (id: string, body?: CreateRunExportInput, o?: CallOptions) =>
      this.post<ExportJob>(`/runs/${enc(id)}/exports`, body ?? {}, o),
    /** Per metric, pass rate (boolean) or mean (int/float) of each completed run, oldest first; one page. */
    history: (projectId: string, p: RunHistoryParams = {}, o?: CallOptions) =>
      this.get<RunHistory>(`/projects/${enc(projectId)}/run-history`, {
        ...o,
        query: { ...p, metricIds: p.metricIds?.length ? p.metricIds.join(',') : undefined },
      }),
  };

  readonly records = {
    /** Posting a record starts its scoring at once; the run completes itself when every record is in. */
    create: (runId: string, body: CreateRecordInput, o?: CallOptions) =>
      this.post<RunRecord>(`/runs/${enc(runId)}/records`, body, o),
    get: (id: string, o?: CallOptions) => this.get<RecordWithScores>(`/records/${enc(id)}`, o),
    delete: (id: string, o?: CallOptions) => this.send<Success>('DELETE', `/records/${enc(id)}`, undefined, o),
    /** With each record's scores inline. */
    list: (runId: string, p?: ListParams, o?: CallOptions) =>
      this.list<RecordWithScores>(`/runs/${enc(runId)}/records`, p, o),
    /** The project's records, newest first, with the records page's filters. */
    search: (projectId: string, p: ListParams & RecordSearchFilter = {}, o?: CallOptions) =>
      this.list<RecordWithScores>(`/projects/${enc(projectId)}/records`, { ...p }, o),
    /** The records matching the records page's filters as CSV: asks for the export and waits for its link. */
    export: async (
      projectId: string,
      body: CreateRecordsExportInput = {},
      o?: CallOptions & { wait?: WaitForExportOptions },
    ) =>
      waitForExport(this, (await this.post<ExportJob>(`/projects/${enc(projectId)}/records/exports`, body, o)).id, {
        signal: o?.signal,
        ...o?.wait,
      }),
  };

  readonly exports = {
    /** An export's status; once completed, with a fresh link (`expiresIn` seconds, else as it was created). */
    get: (id: string, p?: { expiresIn?: number }, o?: CallOptions) =>
      this.get<ExportJob>(`/exports/${enc(id)}`, { ...o, query: { expiresIn: p?.expiresIn } }),
    /** Polls until the export is completed (its link) or failed (VerdictExportFailedError). */
    wait: (id: string, o?: WaitForExportOptions) => waitForExport(this, id, o),
  };

  /** The GitHub Actions workflow a run with `execution: "github"` starts (the token is never returned). */
  readonly github = {
    /** The project's connection, or null when it has none. */
    get: async (projectId: string, o?: CallOptions) => {
      try {
        return await this.get<GithubConnection>(`/projects/${enc(projectId)}/github`, o);
      } catch (error) {
        // The project has no connection yet (a missing project is a plain not_found, and still throws).
        if (error instanceof VerdictApiError && error.code === 'github_not_connected') return null;
        throw error;
      }
    },
    connect: (projectId: string, body: PutGithubConnectionInput, o?: CallOptions) =>
      this.send<GithubConnection>('PUT', `/projects/${enc(projectId)}/github`, body, o),
    disconnect: (projectId: string, o?: CallOptions) =>
      this.send<Success>('DELETE', `/projects/${enc(projectId)}/github`, undefined, o),
  };

  readonly playground = {
    /** Runs a system version (or an edited config) once on one testcase; nothing is stored. */
    run: (projectId: string, body: PlaygroundInput, o?: CallOptions) =>
      this.post<PlaygroundResult>(`/projects/${enc(projectId)}/playground`, body, o),
  };

  readonly scores = {
    /** Creates or replaces the score of one metric version (Scorecard's metricConfigId) for a record. */
    upsert: (recordId: string, metricConfigId: string, score: ScoreValue, o?: CallOptions) =>
      this.send<Score>('PUT', `/records/${enc(recordId)}/scores/${enc(metricConfigId)}`, { score }, o),
  };
}
