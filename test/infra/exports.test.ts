import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_QUEUE_DEFINITION, EXPORT_WORKER_TIMEOUT_SECONDS } from '../../lambdas/aws/export-queue.js';
import { type SynthesizedVerdict, synthesizeVerdict } from './support/synth.js';

let synth: SynthesizedVerdict;
let template: Template;
beforeAll(() => {
  synth = synthesizeVerdict({ lambdaCode: 'inline-stub' });
  template = synth.template;
});
afterAll(() => synth?.cleanup());

const resource = (id: string) => template.toJSON().Resources[id];

describe('asynchronous exports', () => {
  it('queues export jobs with visibility 6 × the exporter’s timeout, 5 tries, a DLQ, encrypted and TLS-only', () => {
    const { queue, deadLetterQueue } = synth.stack.exports.queue;
    const dlqId = synth.logicalId(deadLetterQueue);
    const timeout = resource(synth.logicalId(synth.stack.exports.function)).Properties.Timeout;

    expect(timeout).toBe(EXPORT_WORKER_TIMEOUT_SECONDS);
    // The spool of records (lambdas/aws/file-export-spool.ts) lives in /tmp.
    expect(resource(synth.logicalId(synth.stack.exports.function)).Properties.EphemeralStorage).toEqual({
      Size: 4096,
    });
    expect(resource(synth.logicalId(queue)).Properties).toEqual({
      VisibilityTimeout: 6 * timeout,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
      SqsManagedSseEnabled: true,
    });
    expect(EXPORT_QUEUE_DEFINITION.maxReceiveCount).toBeGreaterThanOrEqual(5);
    expect(resource(dlqId).Properties).toEqual({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
    for (const q of [queue, deadLetterQueue]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: synth.logicalId(q) }],
        PolicyDocument: {
          Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
        },
      });
    }
  });

  it('feeds the exporter one job at a time with partial batch failures and a concurrency cap', () => {
    const { exports } = synth.stack;

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [synth.logicalId(exports.queue.queue), 'Arn'] },
      FunctionName: { Ref: synth.logicalId(exports.function) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('tells the api where to send export jobs and outputs the export DLQ for operators', () => {
    const api = resource(synth.logicalId(synth.stack.api.function)).Properties.Environment.Variables;

    expect(api.EXPORT_QUEUE_URL).toEqual({ Ref: synth.logicalId(synth.stack.exports.queue.queue) });
    template.hasOutput('ExportDeadLetterQueueUrl', {
      Value: { Ref: synth.logicalId(synth.stack.exports.queue.deadLetterQueue) },
    });
  });
});
