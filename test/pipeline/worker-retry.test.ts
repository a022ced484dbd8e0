import {
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLambdaConfig } from '../../lambdas/aws/config.js';
import { createPipelineDeps } from '../../lambdas/aws/pipeline-deps.js';
import { retryVisibilitySeconds } from '../../lambdas/aws/queue-definitions.js';
import { SfnTaskCallbacks } from '../../lambdas/aws/sfn-task-callbacks.js';
import { workerHandler } from '../../lambdas/aws/worker-handler.js';
import { UrlPolicy } from '../../lambdas/core/net/url-policy.js';
import { scoreRecordsMessages } from '../../lambdas/core/pipeline/worker.js';
import { NO_SECRETS } from '../../lambdas/core/secrets/reader.js';
import { DEFAULT_ORG } from '../../lambdas/core/services/api-keys.js';
import { LOCAL_BUCKET, LOCAL_TABLE } from '../../local/emulators.js';
import { toSqsRecord } from '../../local/queue-poller.js';
import { startFakeStepFunctions } from '../support/fake-sfn.js';
import { type ApiClient, apiClient, startTestStack } from '../support/stack.js';
import { createMetric, EXACT_METRIC, seedTestset } from './support.js';

/**
 * The AWS worker Lambda's retry (lambdas/aws/worker-handler.ts): a message whose processing fails retryably is
 * listed in batchItemFailures and, rather than waiting out the queue's 90-minute visibility timeout, made visible
 * again after retryVisibilitySeconds(receive count) with ChangeMessageVisibility. The real handler runs on a real
 * message received from the local SQS emulator's scorer queue (no poller consumes it: the stack has no
 * pipeline), with the local stack's storage; its first judge call fails as a dropped connection would.
 */
let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
let sfn: Awaited<ReturnType<typeof startFakeStepFunctions>>;
let queueUrl: string;
let queueArn: string;
let failures = 0;

beforeAll(async () => {
  sfn = await startFakeStepFunctions();
  stack = await startTestStack({ pipeline: false, monitors: false });
  api = apiClient(stack.url, stack.apiKey);
  queueUrl = stack.core.emulators.queueUrls.scorer;
  const attributes = await sqs().send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
  queueArn = attributes.Attributes!.QueueArn!;
  expect(Number(attributes.Attributes!.VisibilityTimeout)).toBe(5400);
});
afterAll(async () => {
  await stack?.stop();
  await sfn?.close();
});

const sqs = () => stack.core.emulators.clients.sqs;

/** The scorer Lambda's handler as lambdas/scorer/handler.ts builds it, over the local stack's emulators. */
function scorerHandler() {
  const { repositories, emulators } = stack.core;
  const config = readLambdaConfig({
    TABLE_NAME: LOCAL_TABLE,
    BUCKET_NAME: LOCAL_BUCKET,
    SCORER_QUEUE_URL: queueUrl,
    DEAD_LETTER_QUEUE_ARN: `${queueArn}-dlq`,
  });
  const deps = createPipelineDeps(repositories, {
    outbound: new UrlPolicy(),
    projectSecrets: NO_SECRETS,
    hooks: {
      beforeRecord() {
        if (failures++ === 0) throw new Error('socket hang up (the first try fails as a dropped connection would)');
      },
    },
  });
  const callbacks = new SfnTaskCallbacks(sfn.client());
  return workerHandler({ config, clients: emulators.clients, repositories, deps, callbacks }, 'scorer');
}

async function receive(waitSeconds: number): Promise<Message | undefined> {
  const { Messages } = await sqs().send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 1,
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return Messages?.[0];
}

describe('the AWS worker’s retry of a failed message', () => {
  it('lists it in batchItemFailures and hides it for retryVisibilitySeconds (5 s on the first receive), not the queue’s 90 minutes', async () => {
    // Prepare: a record posted to an SDK-fed run, queued for scoring as the API queues it
    const { projectId, testsetId } = await seedTestset(api, 1);
    const metric = await createMetric(api, projectId, EXACT_METRIC);
    const run = (await api.post(`/projects/${projectId}/runs`, { testsetId, metricIds: [metric.id] })).body;
    const posted = await api.post(`/runs/${run.id}/records`, {
      inputs: { question: 'question 0' },
      expected: { answer: 'answer-0' },
      outputs: { response: 'answer-0' },
    });
    expect(posted.status).toBe(201);
    const [body] = scoreRecordsMessages({ orgId: DEFAULT_ORG }, run.id, [posted.body.id], { posted: true });
    await sqs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    const first = await receive(5);
    expect(first?.Attributes?.ApproximateReceiveCount).toBe('1');
    const handler = scorerHandler();

    // Act
    const response = await handler({ Records: [toSqsRecord(first!, queueArn)] });

    // Assess: reported for redelivery, hidden now, back after its 5 s backoff (a long poll waits for it)
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: first!.MessageId }]);
    expect(retryVisibilitySeconds(1)).toBe(5);
    expect(await receive(0)).toBeUndefined();
    const hiddenSince = performance.now();
    const second = await receive(20);
    const hiddenMs = performance.now() - hiddenSince;
    expect(second?.MessageId).toBe(first!.MessageId);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(hiddenMs).toBeGreaterThan(3_000);

    // The second delivery scores the record and is not retried.
    expect((await handler({ Records: [toSqsRecord(second!, queueArn)] })).batchItemFailures).toEqual([]);
    const records = (await api.get(`/runs/${run.id}/records`)).body.data;
    expect(records[0].scores).toEqual([expect.objectContaining({ status: 'completed', passed: true })]);
  });
});
