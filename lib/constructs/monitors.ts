import { ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnSchedule, CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { bindBucket, bindStateMachine, bindTable, setVariable } from './bind.js';
import { acknowledge, wildcardResourceFinding } from './nag.js';
import type { FunctionDefaults } from './pipeline.js';
import type { Storage } from './storage.js';
import { VerdictFunction } from './verdict-function.js';

export interface MonitorsProps {
  storage: Storage;
  stateMachine: StateMachine;
  functions: FunctionDefaults;
  /** Runs fed through the API without a testset close after this many minutes without a record. */
  runIdleCloseMinutes: number;
}

/** How often the idle-run sweep runs (the local scheduler sweeps as often). */
export const IDLE_SWEEP_SCHEDULE = 'rate(5 minutes)';

/**
 * Monitors run on EventBridge Scheduler: the API creates one schedule per monitor in this group, each invoking
 * the monitor Lambda through a role only the scheduler can assume; a tick samples traffic and starts a Run.
 */
export class Monitors extends Construct {
  readonly function: LambdaFunction;
  readonly scheduleGroup: CfnScheduleGroup;
  readonly schedulerRole: Role;
  readonly idleSweep: CfnSchedule;

  constructor(scope: Construct, id: string, props: MonitorsProps) {
    super(scope, id);
    this.function = new VerdictFunction(this, 'Tick', {
      ...props.functions,
      name: 'monitor',
      description: 'Verdict: one monitor tick, sampling recent traffic into a Run',
      timeout: Duration.minutes(5),
      memorySize: 1024,
    }).function;
    bindTable(this.function, props.storage.table, 'readWrite');
    bindBucket(this.function, props.storage.bucket, 'readWrite');
    bindStateMachine(this.function, props.stateMachine, 'start');
    this.grantDescribeRunExecutions(props.stateMachine);

    this.scheduleGroup = new CfnScheduleGroup(this, 'ScheduleGroup', { name: `${Stack.of(this).stackName}-monitors` });

    this.schedulerRole = new Role(this, 'SchedulerRole', {
      description: 'Assumed by EventBridge Scheduler to invoke the Verdict monitor Lambda',
      // Only schedules of this account can use the role (confused-deputy guard).
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    this.schedulerRole.addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
    );

    // The same scheduler sweeps for runs fed from outside that went idle, and closes them.
    setVariable(this.function, 'RUN_IDLE_CLOSE_MINUTES', String(props.runIdleCloseMinutes));
    this.idleSweep = new CfnSchedule(this, 'IdleRunSweep', {
      description: 'Verdict: close runs fed through the API that have had no record for RUN_IDLE_CLOSE_MINUTES',
      groupName: this.scheduleGroup.ref,
      scheduleExpression: IDLE_SWEEP_SCHEDULE,
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: this.function.functionArn,
        roleArn: this.schedulerRole.roleArn,
        input: JSON.stringify({ kind: 'sweep' }),
        retryPolicy: { maximumRetryAttempts: 0 },
      },
    });
  }

  /**
   * The run sweep describes each active run's latest execution (named `<run id>-g<pass>`, see
   * lambdas/aws/sfn-executions.ts): DescribeExecution on this state machine's executions only, not on its
   * Distributed Map children (`<name>/<map run>:<id>`) nor on any other machine's.
   */
  private grantDescribeRunExecutions(stateMachine: StateMachine) {
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }),
    );
    acknowledge(
      this.function.role ?? this.function,
      wildcardResourceFinding(this.function, executions),
      'Executions are named after runs created at run time; the grant covers only DescribeExecution on the ' +
        'run-evaluation state machine’s own executions.',
    );
  }

  /**
   * Lets a function create, change and delete schedules in this group only, pointing them at the monitor
   * Lambda with the scheduler role (the one role it may pass).
   */
  bindScheduleManagement(fn: LambdaFunction): void {
    setVariable(fn, 'SCHEDULE_GROUP_NAME', this.scheduleGroup.ref);
    setVariable(fn, 'MONITOR_FUNCTION_ARN', this.function.functionArn);
    setVariable(fn, 'SCHEDULER_ROLE_ARN', this.schedulerRole.roleArn);
    const schedules = Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.scheduleGroup.ref}/*`,
    });
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'scheduler:CreateSchedule',
          'scheduler:UpdateSchedule',
          'scheduler:DeleteSchedule',
          'scheduler:GetSchedule',
        ],
        resources: [schedules],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    acknowledge(
      fn.role ?? fn,
      wildcardResourceFinding(fn, schedules),
      'Schedules are named after monitors created at run time; the grant covers only schedules in this ' +
        'stack’s monitor schedule group.',
    );
  }
}
