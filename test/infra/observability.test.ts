import type { Template } from 'aws-cdk-lib/assertions';
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
