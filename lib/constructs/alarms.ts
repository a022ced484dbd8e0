import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { LambdaName } from '../lambda-entries.js';

export interface AlarmsProps {
  functions: Record<LambdaName, LambdaFunction>;
  /** Dead-letter queues by what they hold. */
  deadLetterQueues: Record<string, IQueue>;
  stateMachine: StateMachine;
  httpApi: HttpApi;
  table: ITable;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * What an operator must hear about, as CloudWatch alarms on the services' own metrics (no custom metric needed):
 * a message parked in any DLQ, a run-evaluation execution that failed, timed out or was aborted, a Lambda that
 * errored or was throttled, API 5xx answers, and DynamoDB throttling. Each fires on the first occurrence in five
 * minutes and treats missing data as fine. They carry no action: subscribe a topic or a chat integration with
 * `alarm.addAlarmAction` (docs/deploy.md).
 */
export class Alarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.add(
        `${name}DeadLetters`,
        `Messages are waiting in the ${name} dead-letter queue`,
        queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
      );
    }
    const sfn = props.stateMachine;
    this.add('ExecutionsFailed', 'A run-evaluation execution failed', sfn.metricFailed({ period: FIVE_MINUTES }));
    this.add(
      'ExecutionsTimedOut',
      'A run-evaluation execution timed out',
      sfn.metricTimedOut({ period: FIVE_MINUTES }),
    );
    this.add(
      'ExecutionsAborted',
      'A run-evaluation execution was aborted',
      sfn.metricAborted({ period: FIVE_MINUTES }),
    );
    for (const [name, fn] of Object.entries(props.functions)) {
      const label = name[0]!.toUpperCase() + name.slice(1);
      this.add(`${label}Errors`, `The ${name} Lambda returned errors`, fn.metricErrors({ period: FIVE_MINUTES }));
      this.add(`${label}Throttles`, `The ${name} Lambda was throttled`, fn.metricThrottles({ period: FIVE_MINUTES }));
    }
    this.add('Api5xx', 'The HTTP API answered 5xx', props.httpApi.metricServerError({ period: FIVE_MINUTES }));
    // On-demand tables report throttling per request as ThrottledRequests (by operation) and as read/write events.
    for (const metric of ['ReadThrottleEvents', 'WriteThrottleEvents'] as const) {
      this.add(
        `Table${metric}`,
        `DynamoDB throttled the table (${metric})`,
        new Metric({
          namespace: 'AWS/DynamoDB',
          metricName: metric,
          dimensionsMap: { TableName: props.table.tableName },
          period: FIVE_MINUTES,
          statistic: 'Sum',
        }),
      );
    }
  }

  private add(id: string, description: string, metric: Metric) {
    this.alarms.push(
      new Alarm(this, id, {
        alarmDescription: `Verdict: ${description}`,
        metric,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
