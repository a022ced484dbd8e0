import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
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
  /** Subscribed to the alarm topic by email (verdict:alarmEmail); without it the topic has no subscriber. */
  email?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * What an operator must hear about, as CloudWatch alarms on the services' own metrics (no custom metric needed):
 * a message parked in any DLQ, a run-evaluation execution that failed, timed out or was aborted, a Lambda that
 * errored or was throttled, API 5xx answers, and DynamoDB throttling. Each fires on the first occurrence in five
 * minutes and treats missing data as fine. Each notifies the alarm topic (alarm and back to OK), which mails
 * `email` when given; subscribe anything else to the topic (docs/deploy.md).
 */
export class Alarms extends Construct {
  readonly alarms: Alarm[] = [];
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    ({ topic: this.topic, key: this.key } = this.alarmTopic(props.email));
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
    const alarm = new Alarm(this, id, {
      alarmDescription: `Verdict: ${description}`,
      metric,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const notify = new SnsAction(this.topic);
    alarm.addAlarmAction(notify);
    alarm.addOkAction(notify);
    this.alarms.push(alarm);
  }

  /**
   * The topic every alarm notifies. Encrypted with a key of its own: CloudWatch cannot publish to a topic under
   * the AWS-managed SNS key (its policy cannot name CloudWatch), so this key's policy lets CloudWatch alarms of
   * this account use it, and the topic's policy lets them publish (SSL only, as cdk-nag wants).
   */
  private alarmTopic(email: string | undefined) {
    const key = new Key(this, 'TopicKey', {
      description: 'Verdict: encrypts the alarm topic; CloudWatch alarms of this account may use it',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const topic = new Topic(this, 'Topic', {
      displayName: 'Verdict alarms',
      masterKey: key,
      enforceSSL: true,
    });
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    // Confused-deputy guard: only alarms of this account and region act through these grants.
    const conditions = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
    };
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions,
      }),
    );
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions,
      }),
    );
    if (email) topic.addSubscription(new EmailSubscription(email));
    return { topic, key };
  }
}
