import type { ChatCompletionBody } from '../../support/fake-llm.js';
import { type ApiClient, waitForRun } from '../../support/stack.js';

/** The number in "question n" of a prompt (the system's or the judge's). */
export const questionNumber = (text: string) => Number(/question (\d+)/.exec(text)?.[1] ?? -1);

/** Every 4th answer (n % 4 === 3) is wrong, so exact-match and the judge fail exactly those records. */
export const isWrong = (n: number) => n % 4 === 3;

/**
 * The fake LLM plays the system under test (any model but the judge's: "answer-n", "wrong" for the failing n)
 * and the judge (model judge-bool: passes right answers, with a reasoning naming the question).
 */
export function respond(body: ChatCompletionBody) {
  const text = body.messages.map((m) => m.content).join('\n');
  const n = questionNumber(text);
  if (body.model === 'judge-bool') {
    const pass = !isWrong(n);
    return {
      content: JSON.stringify({
        reasoning: `Judged question ${n}: the answer ${pass ? 'matches' : 'does not match'} the expected answer.`,
        score: pass,
      }),
    };
  }
  return { content: isWrong(n) ? 'wrong' : `answer-${n}`, usage: { prompt_tokens: 12, completion_tokens: 3 } };
}

async function ok<T = any>(what: string, call: Promise<{ status: number; body: T }>): Promise<T> {
  const res = await call;
  if (res.status >= 300) throw new Error(`${what} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface SeededProject {
  projectId: string;
  testsetId: string;
  metrics: { exact: any; judge: any; length: any; mentions: any; helpful: any };
  externalVersionId: string;
}

/** A project with a 20-testcase testset, five metrics (three heuristics, an AI judge, a human one) and a system. */
export async function seedProject(api: ApiClient, name: string, testcases = 20): Promise<SeededProject> {
  const project = await ok('project', api.post('/projects', { name, description: 'A support bot under evaluation' }));
  const testset = await ok(
    'testset',
    api.post(`/projects/${project.id}/testsets`, {
      name: 'FAQ',
      description: 'Questions with known answers',
      fieldMapping: { inputs: ['question'], expected: ['answer'], metadata: [] },
    }),
  );
  const items = Array.from({ length: testcases }, (_, n) => ({
    jsonData: { question: `What is question ${n}?`, answer: `answer-${n}` },
  }));
  await ok('testcases', api.post(`/testsets/${testset.id}/testcases`, { items }));
  const metric = (body: object) => ok('metric', api.post(`/projects/${project.id}/metrics`, body));
  const exact = await metric({
    name: 'Exact answer',
    evalType: 'heuristic',
    outputType: 'boolean',
    heuristic: { kind: 'exact_match', field: 'response', expectedField: 'answer' },
  });
  const judge = await metric({
    name: 'Judge: correct',
    evalType: 'ai',
    outputType: 'boolean',
    evalModelName: 'judge-bool',
    guidelines: 'Pass when the answer matches the expected answer.',
  });
  const length = await metric({
    name: 'Short answer',
    evalType: 'heuristic',
    outputType: 'boolean',
    heuristic: { kind: 'length', field: 'response', max: 20 },
  });
  const mentions = await metric({
    name: 'Mentions the answer',
    evalType: 'heuristic',
    outputType: 'boolean',
    heuristic: { kind: 'contains', field: 'response', value: 'answer' },
  });
  const helpful = await metric({ name: 'Helpfulness', evalType: 'human', outputType: 'int' });
  const system = await ok(
    'system',
    api.post(`/projects/${project.id}/systems`, { name: 'SDK bot', config: { type: 'external' } }),
  );
  return {
    projectId: project.id,
    testsetId: testset.id,
    metrics: { exact, judge, length, mentions, helpful },
    externalVersionId: system.productionVersion?.id ?? system.versions[0].id,
  };
}

/** An `api` run whose records are posted as an SDK would, once it settles; `wrong` decides which answers fail. */
export async function postedRun(
  api: ApiClient,
  seeded: SeededProject,
  metricIds: string[],
  wrong: (n: number) => boolean,
  name: string,
  until?: string[],
) {
  const run = await ok(
    'run',
    api.post(`/projects/${seeded.projectId}/runs`, {
      testsetId: seeded.testsetId,
      systemVersionId: seeded.externalVersionId,
      metricIds,
      name,
    }),
  );
  const testcases = (await ok('testcases', api.get(`/testsets/${seeded.testsetId}/testcases?limit=100`))).data;
  // Concurrently, as runAndEvaluate posts them.
  await Promise.all(
    testcases.map((tc: any) => {
      const n = questionNumber(tc.jsonData.question);
      return ok(
        'record',
        api.post(`/runs/${run.id}/records`, {
          testcaseId: tc.id,
          inputs: tc.inputs,
          expected: tc.expected,
          outputs: { response: wrong(n) ? 'wrong' : `answer-${n}` },
          latencyMs: 100 + n,
        }),
      );
    }),
  );
  return waitForRun(api, run.id, until);
}
