import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * The composite GitHub Action at the repository root and the workflows docs/ci.md shows with it: the action is
 * valid, its inputs are the documented ones, every input reaches the command, and the documented workflows use
 * the action with inputs it has (the workflow_dispatch one with the inputs Verdict dispatches).
 */
const ROOT = resolve(import.meta.dirname, '../..');
const action = parse(readFileSync(resolve(ROOT, 'action.yml'), 'utf8'));
const ciDoc = readFileSync(resolve(ROOT, 'docs/ci.md'), 'utf8');
const workflows = [...ciDoc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]!));
const actionSteps = (workflow: any) =>
  Object.values(workflow.jobs ?? {}).flatMap((job: any) =>
    (job.steps ?? []).filter((s: any) => typeof s.uses === 'string' && s.uses.startsWith('your-org/verdict@')),
  );

/** A GitHub Actions expression as a workflow writes it. */
const expression = (text: string) => `\${{ ${text} }}`;

/** The rows of the documented inputs table: `| \`name\` | default | what |`. */
const documentedInputs = () => {
  const section = ciDoc.slice(ciDoc.indexOf("### The action's inputs"));
  return [...section.matchAll(/^\| `([a-z-]+)` \|([^|]*)\|/gm)].map((m) => ({
    name: m[1]!,
    default: m[2]!.trim().replace(/^`|`$/g, ''),
  }));
};

describe('the Verdict GitHub Action (action.yml)', () => {
  it('is a composite action that installs the CLI and runs verdict run with the gate flags', () => {
    expect(action).toMatchObject({ name: expect.any(String), description: expect.any(String) });
    expect(action.runs.using).toBe('composite');
    const steps = action.runs.steps as Array<{ run?: string; shell?: string; uses?: string; env?: object }>;
    expect(steps.some((s) => s.uses?.startsWith('actions/setup-node@'))).toBe(true);
    expect(steps.some((s) => s.run?.includes('npm ci --prefix "$GITHUB_ACTION_PATH"'))).toBe(true);
    const evaluate = steps.find((s) => s.run?.includes('sdk/bin/verdict.mjs'))!;
    expect(evaluate.shell).toBe('bash');
    for (const flag of ['--run-id', '--module', '--fail-under', '--baseline', '--gate', '--max-regression', '--junit'])
      expect(evaluate.run).toContain(flag);
    // Inputs reach the script through env only: an input spliced into `run` could inject shell.
    expect(evaluate.run).not.toMatch(/\$\{\{/);
  });

  it('has exactly the documented inputs, with the documented defaults, each passed to the command', () => {
    const inputs = action.inputs as Record<string, { required?: boolean; default?: string; description: string }>;
    const documented = documentedInputs();

    expect(Object.keys(inputs).sort()).toEqual(documented.map((d) => d.name).sort());
    for (const { name, default: value } of documented) {
      expect(inputs[name]!.description, name).toEqual(expect.any(String));
      if (value === '(required)') expect(inputs[name]!.required, name).toBe(true);
      else expect(inputs[name]!.default ?? '', name).toBe(value);
    }
    const steps = action.runs.steps as Array<{ env?: Record<string, string>; with?: Record<string, string> }>;
    const wired = JSON.stringify(steps.map((s) => [s.env, s.with]));
    for (const name of Object.keys(inputs)) expect(wired, name).toContain(`inputs.${name} }}`);
  });

  it('is what the docs’ workflows use: the workflow_dispatch one takes verdict_run_id and verdict_api_url', () => {
    const inputs = Object.keys(action.inputs);
    const dispatched = workflows.find((w) => w.on?.workflow_dispatch);
    expect(dispatched, 'docs/ci.md shows a workflow_dispatch workflow').toBeDefined();
    expect(Object.keys(dispatched.on.workflow_dispatch.inputs).sort()).toEqual(['verdict_api_url', 'verdict_run_id']);
    const [step] = actionSteps(dispatched);
    expect(step.with).toMatchObject({
      'run-id': expression('inputs.verdict_run_id'),
      'api-url': expression('inputs.verdict_api_url'),
    });

    const using = workflows.filter((w) => actionSteps(w).length > 0);
    expect(using.map((w) => Object.keys(w.on)[0]).sort()).toEqual(['pull_request', 'schedule', 'workflow_dispatch']);
    for (const workflow of using) {
      for (const s of actionSteps(workflow)) {
        for (const key of Object.keys(s.with)) expect(inputs, `${workflow.name}: ${key}`).toContain(key);
        for (const [name, spec] of Object.entries<any>(action.inputs))
          if (spec.required) expect(Object.keys(s.with), `${workflow.name} gives ${name}`).toContain(name);
      }
    }
  });
});
