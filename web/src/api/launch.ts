import type { RunSource, SystemConfig } from '../../../sdk/types.js';
import { client } from './client.js';

/** The system that holds prompts written in the UI, one version per distinct prompt. */
const PROMPT_SYSTEMS: Record<'kickoff' | 'playground', string> = {
  kickoff: 'Kickoff prompts',
  playground: 'Playground prompts',
};

/**
 * Saves a prompt as a system version: into the chosen system, or the project's prompt system for its source.
 * Versions are content-addressed, so the same prompt twice is the same version.
 */
export async function savePrompt(
  projectId: string,
  config: SystemConfig,
  source: 'kickoff' | 'playground',
  systemId?: string,
) {
  const id =
    systemId ??
    (
      await client().systems.upsert(projectId, {
        name: PROMPT_SYSTEMS[source],
        description: 'Prompts written in the Verdict UI',
      })
    ).id;
  return client().systems.createVersion(id, { config });
}

export interface LaunchInput {
  testsetId: string;
  metricIds: string[];
  systemVersionId: string;
  source: RunSource;
  name?: string;
}

export function startRun(projectId: string, input: LaunchInput) {
  return client().runs.create(projectId, {
    testsetId: input.testsetId,
    metricIds: input.metricIds,
    systemVersionId: input.systemVersionId,
    source: input.source,
    name: input.name || undefined,
  });
}

/** A run the project's connected GitHub workflow executes (`execution: "github"`); it fills the run itself. */
export function startGithubRun(projectId: string, input: { testsetId: string; metricIds: string[]; name?: string }) {
  return client().runs.create(projectId, {
    testsetId: input.testsetId,
    metricIds: input.metricIds,
    execution: 'github',
    source: 'kickoff',
    name: input.name || undefined,
  });
}
