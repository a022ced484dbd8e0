import type { Template } from 'aws-cdk-lib/assertions';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_NAMES } from '../../lib/lambda-entries.js';
import { type SynthesizedVerdict, synthesizeVerdict } from './support/synth.js';

let synth: SynthesizedVerdict;
let template: Template;
beforeAll(() => {
  synth = synthesizeVerdict({ lambdaCode: 'inline-stub' });
  template = synth.template;
});
afterAll(() => synth?.cleanup());

interface AlarmProperties {
  AlarmActions?: unknown[];
  OKActions?: unknown[];
  Namespace: string;
  MetricName: string;
  Dimensions?: Array<{ Name: string; Value: unknown }>;
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  TreatMissingData: string;
}

const alarms = () =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties as AlarmProperties);

/** The alarm on this metric of this resource (dimension value referencing its logical id), if any. */
function alarmOn(namespace: string, metricName: string, logicalId?: string) {
  return alarms().filter(
    (a) =>
      a.Namespace === namespace &&
      a.MetricName === metricName &&
      (logicalId === undefined || JSON.stringify(a.Dimensions ?? []).includes(`"${logicalId}"`)),
  );
}

describe('observability', () => {
  it.each(LAMBDA_NAMES)('traces the %s Lambda with X-Ray (active)', (name) => {
    const fn = template.toJSON().Resources[synth.logicalId(synth.stack.functions[name])].Properties;
    expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
  });

  it.each(LAMBDA_NAMES)('alarms on the %s Lambda’s errors and throttles', (name) => {
    const id = synth.logicalId(synth.stack.functions[name]);
    expect(alarmOn('AWS/Lambda', 'Errors', id)).toHaveLength(1);
    expect(alarmOn('AWS/Lambda', 'Throttles', id)).toHaveLength(1);
  });

  it('alarms on every dead-letter queue holding a message', () => {
    const { pipeline, exports } = synth.stack;
    for (const dlq of [
      pipeline.queues.executor.deadLetterQueue,
      pipeline.queues.scorer.deadLetterQueue,
      exports.queue.deadLetterQueue,
    ]) {
      const found = alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', synth.logicalId(dlq));
      expect(found, dlq.node.path).toHaveLength(1);
    }
  });

  it('alarms on failed, timed-out and aborted run evaluations, API 5xx and DynamoDB throttling', () => {
    const machine = synth.logicalId(synth.stack.pipeline.stateMachine);
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
      expect(alarmOn('AWS/States', metric, machine), metric).toHaveLength(1);
    }
    expect(alarmOn('AWS/ApiGateway', '5xx', synth.logicalId(synth.stack.api.httpApi))).toHaveLength(1);
    const table = synth.logicalId(synth.stack.storage.table);
    expect(alarmOn('AWS/DynamoDB', 'ReadThrottleEvents', table)).toHaveLength(1);
    expect(alarmOn('AWS/DynamoDB', 'WriteThrottleEvents', table)).toHaveLength(1);
  });

  it('notifies the alarm topic from every alarm, on alarm and on recovery', () => {
    const topic = { Ref: synth.logicalId(synth.stack.alarms.topic) };
    expect(alarms().length).toBeGreaterThan(0);
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions).toEqual([topic]);
      expect(alarm.OKActions).toEqual([topic]);
    }
    expect(template.toJSON().Outputs.AlarmTopicArn.Value).toEqual(topic);
  });

  it('encrypts the alarm topic with its own rotated key, which CloudWatch alarms of this account may use and publish with', () => {
    const { topic, key } = synth.stack.alarms;
    const keyId = synth.logicalId(key);
    const resources = template.toJSON().Resources;
    expect(resources[synth.logicalId(topic)].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(resources[keyId].Properties.EnableKeyRotation).toBe(true);
    const fromAlarms = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': expect.anything() },
    };
    const cloudWatch = (statements: Array<Record<string, unknown>>) =>
      statements.filter((st) => JSON.stringify(st.Principal).includes('cloudwatch.amazonaws.com'));
    expect(cloudWatch(resources[keyId].Properties.KeyPolicy.Statement)).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: fromAlarms,
      }),
    ]);
    const topicPolicies = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    expect(topicPolicies).toHaveLength(1);
    const statements = topicPolicies[0]!.Properties.PolicyDocument.Statement;
    expect(cloudWatch(statements)).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'sns:Publish', Condition: fromAlarms }),
    ]);
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    for (const statement of [
      ...cloudWatch(statements),
      ...cloudWatch(resources[keyId].Properties.KeyPolicy.Statement),
    ]) {
      expect(flattenCfnReference((statement.Condition as any).ArnLike['aws:SourceArn'])).toBe(
        'arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:*',
      );
    }
  });

  it('subscribes verdict:alarmEmail to the topic by email, and nothing without it', () => {
    expect(template.findResources('AWS::SNS::Subscription')).toEqual({});
    const mailed = synthesizeVerdict({
      lambdaCode: 'inline-stub',
      context: { 'verdict:alarmEmail': 'ops@example.com' },
    });
    try {
      const subscriptions = Object.values(mailed.template.findResources('AWS::SNS::Subscription'));
      expect(subscriptions.map((s) => s.Properties)).toEqual([
        {
          Protocol: 'email',
          Endpoint: 'ops@example.com',
          TopicArn: { Ref: mailed.logicalId(mailed.stack.alarms.topic) },
        },
      ]);
    } finally {
      mailed.cleanup();
    }
  });

  it('fires every alarm on the first occurrence and treats no data as fine', () => {
    expect(alarms().length).toBe(LAMBDA_NAMES.length * 2 + 3 + 3 + 1 + 2);
    for (const alarm of alarms()) {
      expect(alarm).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });
});
