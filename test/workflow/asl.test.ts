import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { HEARTBEAT_INTERVAL_MS } from '../../lambdas/core/pipeline/worker.js';
import { listPlaceholders, substitutePlaceholders } from '../../lambdas/core/workflow/substitute.js';
import { loadRunEvaluationDefinition, RUN_EVALUATION_ASL_URL } from '../../local/stepfunctions/definition.js';
import { collectTaskStates } from '../../local/stepfunctions/task-states.js';

// asl-validator ships CommonJS without type declarations; this is the slice of its API the tests use.
type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText(separator?: string): string };
const validateAsl = createRequire(import.meta.url)('asl-validator') as AslValidator;

const KNOWN_PLACEHOLDERS = [
  'PrepareRunFunctionArn',
  'MarkBatchErroredFunctionArn',
  'FinalizeRunFunctionArn',
  'ExecutorQueueUrl',
  'ScorerQueueUrl',
];
const aslText = readFileSync(RUN_EVALUATION_ASL_URL, 'utf8');
const localQueues = {
  executorQueueUrl: 'http://127.0.0.1:1/q/executor',
  scorerQueueUrl: 'http://127.0.0.1:1/q/scorer',
};

describe('statemachines/run-evaluation.asl.json', () => {
  it.each([
    ['as written, with placeholders', () => JSON.parse(aslText) as unknown],
    ['after local substitution', () => loadRunEvaluationDefinition(localQueues)],
  ])('is valid ASL %s', (_case, load) => {
    const result = validateAsl(load(), { checkPaths: true, checkArn: true });

    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('uses exactly the known placeholders', () => {
    expect(listPlaceholders(aslText).sort()).toEqual([...KNOWN_PLACEHOLDERS].sort());
  });

  it('sets TimeoutSeconds on every task, since aws-local-stepfunctions otherwise stops a task after 60 s', () => {
    const definition = JSON.parse(aslText) as Parameters<typeof collectTaskStates>[0];
    const timeouts = Object.fromEntries(collectTaskStates(definition).map((task) => [task.name, task.timeoutSeconds]));

    expect(timeouts).toEqual({ PrepareRun: 900, Execute: 7200, Score: 7200, MarkBatchErrored: 900, FinalizeRun: 900 });
  });

  it('waits for workers by heartbeat: a worker that dies is noticed within HeartbeatSeconds, then retried', () => {
    const states = JSON.parse(aslText).States.EvaluateBatches.ItemProcessor.States;
    for (const name of ['Execute', 'Score']) {
      // Workers beat every HEARTBEAT_INTERVAL_MS; a live worker never misses four beats in a row.
      expect(states[name].HeartbeatSeconds * 1000).toBeGreaterThanOrEqual(4 * HEARTBEAT_INTERVAL_MS);
      expect(states[name].HeartbeatSeconds).toBeLessThan(states[name].TimeoutSeconds);
      expect(states[name].Retry.flatMap((r: { ErrorEquals: string[] }) => r.ErrorEquals)).toContain(
        'States.HeartbeatTimeout',
      );
    }
  });

  it('keeps the Map output from growing with the run and routes every batch failure to MarkBatchErrored', () => {
    const map = JSON.parse(aslText).States.EvaluateBatches;

    expect(map).toMatchObject({ ItemsPath: '$.batches', MaxConcurrencyPath: '$.maxConcurrency', ResultPath: null });
    for (const name of ['Execute', 'Score']) {
      const state = map.ItemProcessor.States[name];
      expect(state.Parameters.MessageBody['taskToken.$']).toBe('$$.Task.Token');
      expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkBatchErrored' }]);
      expect(state.Retry.flatMap((retrier: { ErrorEquals: string[] }) => retrier.ErrorEquals)).toEqual(
        expect.arrayContaining(['Verdict.Transient', 'States.Timeout']),
      );
    }
  });
});

// Builds `${Name}` without a string literal that looks like a mistaken template to the linter.
const ref = (name: string): string => '${' + name + '}';

describe('substitutePlaceholders', () => {
  it('replaces every occurrence of each placeholder', () => {
    const text = `{"a": "${ref('Queue')}", "b": "${ref('Queue')}/x", "c": "${ref('Arn')}"}`;

    expect(substitutePlaceholders(text, { Queue: 'q', Arn: 'arn:aws:x' })).toBe(
      '{"a": "q", "b": "q/x", "c": "arn:aws:x"}',
    );
  });

  it('throws naming every placeholder without a value', () => {
    const values = { PrepareRunFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:p' };

    const failure = (() => {
      try {
        substitutePlaceholders(aslText, values);
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
      return 'no error';
    })();

    for (const name of KNOWN_PLACEHOLDERS.filter((known) => known !== 'PrepareRunFunctionArn')) {
      expect(failure).toContain(ref(name));
    }
    expect(failure).not.toContain('PrepareRunFunctionArn');
  });

  it('does not take inherited properties for values', () => {
    expect(() => substitutePlaceholders(ref('toString'), {})).toThrow(/\$\{toString\}/);
  });
});
