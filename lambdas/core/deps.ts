import { notFound } from './errors.js';
import type {
  MetricRepository,
  ProjectRepository,
  RecordRepository,
  RunRepository,
  Scope,
  ScoreRepository,
  SystemRepository,
  TestcaseRepository,
  TestsetRepository,
} from './ports.js';

/** The ports the domain services work with; production and local wire different implementations. */
export interface CoreDeps {
  projects: ProjectRepository;
  testsets: TestsetRepository;
  testcases: TestcaseRepository;
  metrics: MetricRepository;
  systems: SystemRepository;
  runs: RunRepository;
  records: RecordRepository;
  scores: ScoreRepository;
  now?: () => Date;
}

export const nowIso = (deps: Pick<CoreDeps, 'now'>) => (deps.now ? deps.now() : new Date()).toISOString();

export async function requireProject(deps: CoreDeps, scope: Scope, projectId: string) {
  const project = await deps.projects.get(scope, projectId);
  if (!project) throw notFound('project', projectId);
  return project;
}

export async function requireTestset(deps: CoreDeps, scope: Scope, testsetId: string) {
  const testset = await deps.testsets.get(scope, testsetId);
  if (!testset) throw notFound('testset', testsetId);
  return testset;
}

export async function requireRun(deps: CoreDeps, scope: Scope, runId: string) {
  const run = await deps.runs.get(scope, runId);
  if (!run) throw notFound('run', runId);
  return run;
}
