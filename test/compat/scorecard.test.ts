import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, waitFor } from '../support/stack.js';
import { runAndEvaluate, type ScorecardWireClient, ScorecardWireError, scorecardClient } from './scorecard-wire.js';

/**
 * Scorecard's TypeScript SDK (3.1.0) pointed at Verdict by its base URL: every one of its 31 calls and its
 * runAndEvaluate, spoken as the SDK speaks them (see scorecard-wire.ts), with the statuses, content types and
 * response shapes its types rely on.
 */
let stack: Awaited<ReturnType<typeof startTestStack>>;
let sc: ScorecardWireClient;
beforeAll(async () => {
  stack = await startTestStack();
  sc = scorecardClient({ baseURL: `${stack.url}/api/v2`, apiKey: stack.apiKey });
});
afterAll(() => stack?.stop());

/** The status the last call answered with, and that it was JSON. */
function answered(status: number) {
  const last = sc.exchanges.at(-1)!;
  expect(last.status, `${last.method} ${last.path}`).toBe(status);
  expect(last.contentType).toMatch(/^application\/json/);
}

const caseNumber = (inputs: Record<string, unknown>) => Number(String(inputs.question).replace('question ', ''));
const FREE_FORM = { model: 'echo-1', temperature: 0, maxTokens: 256, stop: ['\n\n'], nested: { top_p: 0.9 } };

async function seedProject(n: number) {
  const project = await sc.projects.create({ name: `compat ${n}`, description: 'from the SDK' });
  const testset = await sc.testsets.create(project.id, {
    name: 'qa',
    description: 'questions',
    jsonSchema: { type: 'object', properties: { question: { type: 'string' }, answer: { type: 'string' } } },
    fieldMapping: { inputs: ['question'], expected: ['answer'], metadata: [] },
  });
  for (let start = 0; start < n; start += 100) {
    const items = Array.from({ length: Math.min(100, n - start) }, (_, i) => ({
      jsonData: { question: `question ${start + i}`, answer: `answer-${start + i}` },
    }));
    await sc.testcases.create(testset.id, { items });
  }
  const metric = await sc.metrics.create(project.id, {
    name: 'exact',
    evalType: 'heuristic',
    outputType: 'boolean',
    heuristic: { kind: 'exact_match', field: 'response', expectedField: 'answer' },
  });
  const system = await sc.systems.upsert(project.id, { name: 'echo', description: 'mine', config: FREE_FORM });
  return { projectId: project.id as string, testsetId: testset.id as string, metric, system };
}

/** The team's own system: it reads its parameters from the version, as SDK users do; wrong on every 4th case. */
const echo = async (inputs: Record<string, unknown>, version: any) => {
  const n = caseNumber(inputs);
  return { response: n % 4 === 0 ? 'no idea' : `answer-${n}`, model: version?.config?.model };
};

const completed = (runId: string) =>
  waitFor(
    async () => {
      const run = await sc.runs.get(runId);
      return run.status === 'completed' ? run : undefined;
    },
    `run ${runId} to complete`,
    120_000,
  );

describe('Scorecard SDK calls against Verdict', () => {
  it('answers each of the SDK’s 31 calls with the status and shape its types expect', async () => {
    const calls = new Set<string>();
    const call = async <T>(name: string, status: number, promise: Promise<T>) => {
      const value = await promise;
      answered(status);
      calls.add(name);
      return value as any;
    };
    const collect = async (name: string, items: AsyncGenerator<any>) => {
      const out = await sc.all(items);
      answered(200);
      calls.add(name);
      return out;
    };

    const project = await call('projects.create', 201, sc.projects.create({ name: 'wire', description: 'd' }));
    expect(project).toMatchObject({ id: expect.any(String), name: 'wire', description: 'd' });
    expect((await collect('projects.list', sc.projects.list())).map((p) => p.id)).toContain(project.id);

    const testset = await call(
      'testsets.create',
      201,
      sc.testsets.create(project.id, {
        name: 'ts',
        description: 'd',
        jsonSchema: { type: 'object', properties: { q: { type: 'string' }, a: { type: 'string' }, tag: {} } },
        fieldMapping: { inputs: ['q'], expected: ['a'], metadata: ['tag'] },
      }),
    );
    expect(testset).toMatchObject({ name: 'ts', fieldMapping: { inputs: ['q'], expected: ['a'], metadata: ['tag'] } });
    expect(await call('testsets.update', 200, sc.testsets.update(testset.id, { description: 'd2' }))).toMatchObject({
      description: 'd2',
    });
    expect((await collect('testsets.list', sc.testsets.list(project.id))).map((t) => t.id)).toEqual([testset.id]);
    expect(await call('testsets.get', 200, sc.testsets.get(testset.id))).toMatchObject({ id: testset.id });

    const created = await call(
      'testcases.create',
      201,
      sc.testcases.create(testset.id, {
        items: [1, 2, 3, 4, 5].map((i) => ({ jsonData: { q: `q${i}`, a: `a${i}`, tag: 'x' } })),
      }),
    );
    expect(created.items).toHaveLength(5);
    const [tc1, tc2] = created.items;
    expect(tc1).toMatchObject({ testsetId: testset.id, inputs: { q: 'q1' }, expected: { a: 'a1' } });
    expect(
      await call('testcases.update', 200, sc.testcases.update(tc1.id, { jsonData: { q: 'q1!', a: 'a1' } })),
    ).toMatchObject({ id: tc1.id, inputs: { q: 'q1!' } });
    // Two at a time, so the SDK's auto-paging follows nextCursor.
    expect(await collect('testcases.list', sc.testcases.list(testset.id, { limit: 2 }))).toHaveLength(5);
    expect(
      sc.exchanges.filter((e) => e.method === 'GET' && e.path === `/testsets/${testset.id}/testcases`).length,
    ).toBe(3);
    expect(await call('testcases.get', 200, sc.testcases.get(tc2.id))).toMatchObject({ id: tc2.id });
    expect(await call('testcases.delete', 200, sc.testcases.delete({ ids: [created.items[4].id] }))).toEqual({
      success: true,
    });

    const judge = await call(
      'metrics.create',
      201,
      sc.metrics.create(project.id, {
        name: 'helpful',
        evalType: 'ai',
        outputType: 'int',
        promptTemplate: 'Rate {{ outputs }}',
      }),
    );
    expect(judge).toMatchObject({ evalModelName: 'gpt-4o', temperature: 0, passingThreshold: 4, guidelines: '' });
    const human = await sc.metrics.create(project.id, { name: 'rated', evalType: 'human', outputType: 'int' });
    expect(
      await call(
        'metrics.update',
        200,
        sc.metrics.update(judge.id, { evalType: 'ai', outputType: 'int', guidelines: 'be kind' }),
      ),
    ).toMatchObject({ id: judge.id, guidelines: 'be kind' });
    expect((await collect('metrics.list', sc.metrics.list(project.id))).length).toBe(2);
    expect(await call('metrics.get', 200, sc.metrics.get(human.id))).toMatchObject({ evalType: 'human' });

    const system = await call(
      'systems.upsert',
      201,
      sc.systems.upsert(project.id, { name: 'mine', description: 'd', config: FREE_FORM }),
    );
    expect(system.productionVersion).toEqual({
      id: expect.any(String),
      systemId: system.id,
      name: 'v1',
      config: FREE_FORM,
    });
    const again = await sc.systems.upsert(project.id, { name: 'mine', config: FREE_FORM });
    expect(again.id).toBe(system.id);
    answered(200);
    const hot = await call(
      'systems.versions.upsert',
      200,
      sc.systems.versions.upsert(system.id, { config: { ...FREE_FORM, temperature: 0.9 }, name: 'hot' }),
    );
    expect(hot).toEqual({
      id: expect.any(String),
      systemId: system.id,
      name: 'hot',
      config: { ...FREE_FORM, temperature: 0.9 },
    });
    const version = await call('systems.versions.get', 200, sc.systems.versions.get(system.productionVersion.id));
    expect(JSON.stringify(version.config)).toBe(JSON.stringify(FREE_FORM));
    expect(
      (await call('systems.update', 200, sc.systems.update(system.id, { productionVersionId: hot.id })))
        .productionVersion,
    ).toEqual(hot);
    expect((await collect('systems.list', sc.systems.list(project.id))).map((s) => s.id)).toEqual([system.id]);
    expect((await call('systems.get', 200, sc.systems.get(system.id))).versions).toHaveLength(2);

    const run = await call(
      'runs.create',
      201,
      sc.runs.create(project.id, { testsetId: testset.id, metricIds: [human.id], systemVersionId: hot.id }),
    );
    expect(run).toMatchObject({
      testsetId: testset.id,
      systemId: system.id,
      systemVersionId: hot.id,
      metricIds: [human.id],
      metricVersionIds: [human.versionId],
      numExpectedRecords: 4,
      numRecords: 0,
      numScores: 0,
      status: 'pending',
    });
    const record = await call(
      'records.create',
      201,
      sc.records.create(run.id, {
        inputs: { q: 'q2' },
        expected: { a: 'a2' },
        outputs: { response: 'a2' },
        otelLinkId: 'link-1',
        testcaseId: tc2.id,
      }),
    );
    expect(record).toMatchObject({ runId: run.id, testcaseId: tc2.id, outputs: { response: 'a2' } });
    const score = await call(
      'scores.upsert',
      200,
      sc.scores.upsert(human.versionId, { recordId: record.id, score: { intScore: 5, reasoning: 'great' } }),
    );
    expect(score).toMatchObject({ recordId: record.id, metricConfigId: human.versionId, score: { intScore: 5 } });
    const records = await collect('records.list', sc.records.list(run.id));
    expect(records).toEqual([expect.objectContaining({ id: record.id, scores: [expect.objectContaining(score)] })]);
    expect(await call('runs.get', 200, sc.runs.get(run.id))).toMatchObject({ numRecords: 1, numScores: 1 });
    expect((await collect('runs.list', sc.runs.list(project.id))).map((r) => r.id)).toEqual([run.id]);

    expect(await call('records.delete', 200, sc.records.delete(record.id))).toEqual({ success: true });
    expect(await call('metrics.delete', 200, sc.metrics.delete(judge.id))).toEqual({ success: true });
    expect(await call('systems.delete', 200, sc.systems.delete(system.id))).toEqual({ success: true });
    expect(await call('testsets.delete', 200, sc.testsets.delete(testset.id))).toEqual({ success: true });

    expect(calls.size).toBe(31);
    // The SDK's headers are all accepted: its user agent, x-stainless-* and no Idempotency-Key.
    expect(sc.exchanges.every((e) => e.requestHeaders['user-agent'] === 'Scorecard/JS 3.1.0')).toBe(true);
    expect(sc.exchanges.every((e) => e.status < 300)).toBe(true);
  });

  it('fails the way the SDK reads failures: status classes and {code, message, details} with details an object', async () => {
    const wrongKey = scorecardClient({ baseURL: `${stack.url}/api/v2`, apiKey: 'sk_not_a_key' });
    const unauthorized = await wrongKey.projects.create({ name: 'x', description: '' }).catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(ScorecardWireError);
    expect(unauthorized).toMatchObject({ status: 401, error: { code: 'unauthorized', details: {} } });
    expect(wrongKey.exchanges).toHaveLength(1); // x-should-retry: false, so no retry

    const missing = await sc.testsets.get('nope').catch((e: unknown) => e);
    expect(missing).toMatchObject({
      status: 404,
      error: { code: 'not_found', message: expect.any(String), details: {} },
    });
    const project = await sc.projects.create({ name: 'errors', description: '' });
    const bad = await sc.systems
      .upsert(project.id, { name: 's', config: { type: 'openai_chat', model: 'gpt-4o-mini' } })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, error: { details: { issues: [{ path: 'config.messages' }] } } });
    expect(Object.keys((bad as ScorecardWireError).error).sort()).toEqual(['code', 'details', 'message']);
    expect((bad as ScorecardWireError).headers.get('x-should-retry')).toBe('false');
  });
});

describe('Scorecard’s runAndEvaluate against Verdict', () => {
  it.each([
    ['sequentially (the SDK’s default)', false],
    ['with runInParallel', true],
  ])(
    'runs 100 testcases × 3 client-side trials %s: 300 records, trials 0–2, aggregates over all 300',
    async (_label, runInParallel) => {
      // Prepare
      const { projectId, testsetId, metric, system } = await seedProject(100);

      // Act
      const { id } = await runAndEvaluate(
        sc,
        { projectId, testsetId, metricIds: [metric.id], systemVersionId: system.productionVersion.id, system: echo },
        { trials: 3, runInParallel },
      );
      const run = await completed(id);

      // Assess
      expect(run).toMatchObject({ numRecords: 300, numScores: 300, trials: 3, status: 'completed' });
      expect(run.aggregates[metric.versionId]).toMatchObject({ n: 300, passed: 225, failed: 75, passRate: 0.75 });
      const records = await sc.all(sc.records.list(id, { limit: 100 }));
      expect(records).toHaveLength(300);
      const trialsByTestcase = new Map<string, number[]>();
      for (const r of records)
        trialsByTestcase.set(r.testcaseId, [...(trialsByTestcase.get(r.testcaseId) ?? []), r.trial]);
      expect(trialsByTestcase.size).toBe(100);
      for (const trials of trialsByTestcase.values()) expect(trials.sort()).toEqual([0, 1, 2]);
      expect(records.every((r) => r.outputs.model === 'echo-1' && r.scores.length === 1)).toBe(true);
    },
  );

  it('runs inline testcases (testsetId null): records carry no testcaseId key, and are scored', async () => {
    const { projectId, metric } = await seedProject(0);
    const testcases = [1, 2, 3, 4].map((n) => ({
      inputs: { question: `question ${n}` },
      expected: { answer: `answer-${n}` },
    }));
    const { id } = await runAndEvaluate(
      sc,
      { projectId, testcases, metricIds: [metric.id], system: echo },
      { trials: 2 },
    );
    expect(sc.exchanges.some((e) => e.method === 'POST' && e.path === `/projects/${projectId}/runs`)).toBe(true);
    const records = await waitFor(async () => {
      const all = await sc.all(sc.records.list(id));
      return all.length === 8 && all.every((r) => r.scores.length === 1) ? all : undefined;
    }, 'the inline records to be scored');
    for (const r of records) expect(Object.keys(r)).not.toContain('testcaseId');
    const one = await sc.records.create(id, { inputs: testcases[0]!.inputs, expected: {}, outputs: {} });
    expect(Object.keys(one)).not.toContain('testcaseId');
    // Repeats of an inline testcase are its trials too, told apart by their inputs and expected outputs.
    const byQuestion = new Map<string, number[]>();
    for (const r of records) byQuestion.set(r.inputs.question, [...(byQuestion.get(r.inputs.question) ?? []), r.trial]);
    for (const trials of byQuestion.values()) expect(trials.sort()).toEqual([0, 1]);
    expect((await sc.runs.get(id)).trials).toBe(2);
    expect(records.filter((r) => r.scores[0].passed).length).toBe(6);
  });

  it('completes an inline-testcase run once closed as older SDKs close it (PATCH status awaiting_scoring)', async () => {
    // Prepare
    const { projectId, metric } = await seedProject(0);
    const testcases = [1, 2, 3, 4, 5].map((n) => ({
      inputs: { question: `question ${n}` },
      expected: { answer: `answer-${n}` },
    }));
    const { id } = await runAndEvaluate(sc, { projectId, testcases, metricIds: [metric.id], system: echo });

    // Act
    const closed = await sc.runs.update(id, { status: 'awaiting_scoring' });
    answered(200);

    // Assess
    expect(closed.id).toBe(id);
    const run = await completed(id);
    expect(run).toMatchObject({ numRecords: 5, numScores: 5, numExpectedRecords: null });
    expect(run.aggregates[metric.versionId]).toMatchObject({ n: 5, passed: 4, failed: 1 });
    const late = await sc.records
      .create(id, { inputs: testcases[0]!.inputs, expected: {}, outputs: {} })
      .catch((error: unknown) => error);
    expect(late).toBeInstanceOf(ScorecardWireError);
    // Not retried: x-should-retry says a retry cannot help.
    expect(late).toMatchObject({ status: 409 });
    expect((late as ScorecardWireError).headers.get('x-should-retry')).toBe('false');
    const bad = await sc.runs.update(id, { status: 'completed' }).catch((error: unknown) => error);
    expect(bad).toMatchObject({ status: 400, error: { details: { issues: [{ path: 'status' }] } } });
  });
});
