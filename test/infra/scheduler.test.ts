import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeMonitorScheduler, scheduleName } from '../../lambdas/aws/eventbridge-scheduler.js';
import type { ScheduledMonitor } from '../../lambdas/core/monitors/ports.js';
import { asArray, roleStatements, type SynthesizedVerdict, synthesizeVerdict } from './support/synth.js';

/**
 * The EventBridge Scheduler adapter against the real SDK client: every request goes through the SDK's own
 * serializer to an in-process handler that records the HTTP request and answers like the service (no network),
 * so the test sees the REST calls AWS would receive and the SDK's parsing of AWS's errors.
 */
interface Call {
  operation: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: Record<string, any> | null;
}

type Reply = { status: number; errorType?: string; body?: unknown };

function fakeSchedulerApi(reply: (call: Call) => Reply = () => ({ status: 200, body: {} })) {
  const calls: Call[] = [];
  let operation = '';
  const client = new SchedulerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: {
      async handle(request: any) {
        const raw = request.body;
        const text = !raw ? '' : typeof raw === 'string' ? raw : new TextDecoder().decode(raw);
        const call: Call = {
          operation,
          method: request.method,
          path: request.path,
          query: request.query ?? {},
          body: text ? JSON.parse(text) : null,
        };
        calls.push(call);
        const answer = reply(call);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (answer.errorType) headers['x-amzn-errortype'] = answer.errorType;
        const body = new TextEncoder().encode(JSON.stringify(answer.body ?? {}));
        return { response: { statusCode: answer.status, reason: '', headers, body } };
      },
    } as any,
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      operation = String(context.commandName).replace(/Command$/, '');
      return next(args);
    },
    { step: 'initialize', name: 'recordOperation' },
  );
  return { client, calls };
}

// The values the api Lambda gets from the stack (SCHEDULE_GROUP_NAME, MONITOR_FUNCTION_ARN, SCHEDULER_ROLE_ARN).
const options = {
  groupName: 'Verdict-monitors',
  monitorFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Verdict-MonitorsTick',
  roleArn: 'arn:aws:iam::123456789012:role/Verdict-MonitorsSchedulerRole',
};

const monitor: ScheduledMonitor = {
  id: '01jd3k8m0f4q2w6e8r0t2y4u6a',
  orgId: 'org_1',
  name: 'Checkout answers',
  schedule: 'cron(0 18 ? * MON-FRI *)',
  active: true,
};

// Limits from the EventBridge Scheduler API reference (CreateSchedule / UpdateSchedule).
const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;

describe('the EventBridge Scheduler adapter', () => {
  it('creates the schedule with CreateSchedule in the stack’s group, invoking the monitor Lambda with the role', async () => {
    const api = fakeSchedulerApi(() => ({ status: 200, body: { ScheduleArn: 'arn:aws:scheduler:::schedule/x' } }));

    await new EventBridgeMonitorScheduler(api.client, options).upsertSchedule(monitor);

    expect(api.calls.map((c) => [c.operation, c.method, c.path])).toEqual([
      ['CreateSchedule', 'POST', `/schedules/${scheduleName(monitor.id)}`],
    ]);
    const body = api.calls[0]!.body!;
    expect(body).toEqual({
      GroupName: 'Verdict-monitors',
      ScheduleExpression: 'cron(0 18 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'UTC',
      Description: 'Verdict monitor "Checkout answers"',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: options.monitorFunctionArn,
        RoleArn: options.roleArn,
        Input: expect.any(String),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      },
      // The SDK adds an idempotency token itself.
      ClientToken: expect.any(String),
    });
    expect(scheduleName(monitor.id)).toMatch(NAME);
    expect(body.GroupName).toMatch(NAME);
    expect(body.Target.RetryPolicy.MaximumRetryAttempts).toBeLessThanOrEqual(185);
    expect(body.Target.RetryPolicy.MaximumEventAgeInSeconds).toBeGreaterThanOrEqual(60);
    // EventBridge Scheduler substitutes its context attribute; the Lambda then reads plain JSON.
    const delivered = body.Target.Input.replace('<aws.scheduler.scheduled-time>', '2030-01-04T18:00:00Z');
    expect(JSON.parse(delivered)).toEqual({
      monitorId: monitor.id,
      orgId: 'org_1',
      scheduledTime: '2030-01-04T18:00:00Z',
    });
  });

  it('replaces an existing schedule with UpdateSchedule when CreateSchedule answers ConflictException', async () => {
    const api = fakeSchedulerApi((call) =>
      call.operation === 'CreateSchedule'
        ? { status: 409, errorType: 'ConflictException', body: { Message: 'Schedule already exists.' } }
        : { status: 200, body: { ScheduleArn: 'arn' } },
    );

    await new EventBridgeMonitorScheduler(api.client, options).upsertSchedule({
      ...monitor,
      schedule: 'rate(5 minutes)',
    });

    expect(api.calls.map((c) => [c.operation, c.method, c.path])).toEqual([
      ['CreateSchedule', 'POST', `/schedules/${scheduleName(monitor.id)}`],
      ['UpdateSchedule', 'PUT', `/schedules/${scheduleName(monitor.id)}`],
    ]);
    const { ClientToken: _a, ...created } = api.calls[0]!.body!;
    const { ClientToken: _b, ...updated } = api.calls[1]!.body!;
    expect(updated).toEqual(created);
    expect(updated.ScheduleExpression).toBe('rate(5 minutes)');
  });

  it('deletes the schedule of an inactive monitor, and of a deleted one, with DeleteSchedule in the group', async () => {
    const api = fakeSchedulerApi(() => ({ status: 200, body: {} }));
    const scheduler = new EventBridgeMonitorScheduler(api.client, options);

    await scheduler.upsertSchedule({ ...monitor, active: false });
    await scheduler.deleteSchedule(monitor.id);

    expect(api.calls.map((c) => [c.operation, c.method, c.path, c.query.groupName])).toEqual([
      ['DeleteSchedule', 'DELETE', `/schedules/${scheduleName(monitor.id)}`, 'Verdict-monitors'],
      ['DeleteSchedule', 'DELETE', `/schedules/${scheduleName(monitor.id)}`, 'Verdict-monitors'],
    ]);
  });

  it('treats a schedule that is already gone as deleted, and lets every other error through', async () => {
    const gone = fakeSchedulerApi(() => ({ status: 404, errorType: 'ResourceNotFoundException', body: {} }));
    await expect(new EventBridgeMonitorScheduler(gone.client, options).deleteSchedule(monitor.id)).resolves.toBe(
      undefined,
    );

    const invalid = fakeSchedulerApi(() => ({
      status: 400,
      errorType: 'ValidationException',
      body: { Message: 'Invalid Schedule Expression' },
    }));
    await expect(
      new EventBridgeMonitorScheduler(invalid.client, options).upsertSchedule(monitor),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    const throttled = fakeSchedulerApi(() => ({ status: 429, errorType: 'ThrottlingException', body: {} }));
    await expect(
      new EventBridgeMonitorScheduler(throttled.client, options).deleteSchedule(monitor.id),
    ).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('the adapter and the stack agree', () => {
  let synth: SynthesizedVerdict;
  beforeAll(() => {
    synth = synthesizeVerdict({ lambdaCode: 'inline-stub' });
  });
  afterAll(() => synth?.cleanup());

  it('the api Lambda may call exactly the operations the adapter sends, and pass the role it names', async () => {
    const api = fakeSchedulerApi((call) =>
      call.operation === 'CreateSchedule' ? { status: 409, errorType: 'ConflictException' } : { status: 200 },
    );
    const scheduler = new EventBridgeMonitorScheduler(api.client, options);
    await scheduler.upsertSchedule(monitor);
    await scheduler.deleteSchedule(monitor.id);
    const used = [...new Set(api.calls.map((c) => `scheduler:${c.operation}`))].sort();

    const { stack, template } = synth;
    const apiFunction = template.toJSON().Resources[synth.logicalId(stack.functions.api)].Properties;
    const statements = roleStatements(template, synth.logicalId(stack.api.function.role!));
    const granted = statements
      .flatMap((s) => asArray(s.Action))
      .filter((action) => action.startsWith('scheduler:'))
      .sort();
    expect(used.every((action) => granted.includes(action))).toBe(true);
    expect(used).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:UpdateSchedule']);

    // The adapter's three settings come from these variables, pointing at the group, the function and the role.
    const env = apiFunction.Environment.Variables;
    expect(env.SCHEDULE_GROUP_NAME).toEqual({ Ref: synth.logicalId(stack.monitors.scheduleGroup) });
    expect(env.MONITOR_FUNCTION_ARN).toEqual({ 'Fn::GetAtt': [synth.logicalId(stack.monitors.function), 'Arn'] });
    expect(env.SCHEDULER_ROLE_ARN).toEqual({ 'Fn::GetAtt': [synth.logicalId(stack.monitors.schedulerRole), 'Arn'] });
    const passRole = statements.find((s) => asArray(s.Action).includes('iam:PassRole'));
    expect(passRole?.Resource).toEqual(env.SCHEDULER_ROLE_ARN);
  });
});
