import { VerdictError } from './errors.js';
import type { Scheduler } from './monitors/ports.js';
import type { PlaygroundRunner } from './playground/run-once.js';
import type { RunLauncher } from './runs/ports.js';
import type { ProjectSecretReader, ProjectSecretRepository } from './secrets/ports.js';

/**
 * What a deployment answers for a part it was built without. Every port of the API is always present: a missing
 * part is one of these, named where it is wired, and it answers with a clear error (or, for the pipeline, a
 * documented no-op) instead of an `undefined` that each caller has to remember to check.
 */

const notConfigured = (what: string) =>
  new VerdictError(503, 'not_configured', `this deployment has no ${what} configured`);

/**
 * No pipeline: an API-only stack (storage tests, a read-only replica). Runs and posted records are stored and
 * stay pending, exactly as they would while a pipeline is down; nothing is executed or scored.
 */
export const pipelineOff: RunLauncher = {
  async start() {},
  async scoreRecords() {},
};

/** No scheduler (a stack without the monitor Lambda): an active monitor is refused before anything is stored. */
export const noScheduler: Scheduler = {
  unavailable: 'this deployment has no scheduler configured',
  // Upserting an inactive monitor removes its schedule, and there is none to remove.
  async upsertSchedule(monitor) {
    if (monitor.active) throw notConfigured('scheduler');
  },
  async deleteSchedule() {},
};

/**
 * No project secrets store: the secrets routes answer 503, a config that names a secret is refused with the same
 * 503, and a run (which could only name one through a config stored elsewhere) reads no value.
 */
export const noProjectSecrets: ProjectSecretRepository & ProjectSecretReader = {
  async put() {
    throw notConfigured('project secrets store');
  },
  async get() {
    throw notConfigured('project secrets store');
  },
  async list() {
    throw notConfigured('project secrets store');
  },
  async delete() {
    throw notConfigured('project secrets store');
  },
  async value() {
    return undefined;
  },
};

/** No system runner for the Playground (the AWS API Lambda runs no systems in-request). */
export const noPlayground: PlaygroundRunner = {
  async run() {
    throw notConfigured('system runner for the Playground');
  },
};
