import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import type { MonitorTickEvent, ScheduledMonitor, Scheduler } from '../core/monitors/ports.js';

export interface EventBridgeSchedulerOptions {
  /** The stack's schedule group (SCHEDULE_GROUP_NAME). */
  groupName: string;
  /** The monitor Lambda every schedule invokes (MONITOR_FUNCTION_ARN). */
  monitorFunctionArn: string;
  /** The role EventBridge Scheduler assumes to invoke it (SCHEDULER_ROLE_ARN). */
  roleArn: string;
}

/** Schedule names are unique within the group; monitor ids are 26-character ULIDs, so this fits the 64 limit. */
export const scheduleName = (monitorId: string) => `monitor-${monitorId}`;

/**
 * Input the monitor Lambda receives. EventBridge Scheduler replaces `<aws.scheduler.scheduled-time>` with the
 * time the firing was due, identical on every retry of it, which is what makes a retried tick the same tick.
 */
export function scheduleInput(monitor: ScheduledMonitor): string {
  const event: MonitorTickEvent = {
    monitorId: monitor.id,
    orgId: monitor.orgId,
    scheduledTime: '<aws.scheduler.scheduled-time>',
  };
  return JSON.stringify(event);
}

const isNamed = (error: unknown, name: string) => error instanceof Error && error.name === name;

/** One EventBridge Scheduler schedule per active monitor, in the stack's group, invoking the monitor Lambda. */
export class EventBridgeMonitorScheduler implements Scheduler {
  readonly unavailable = null;

  constructor(
    private readonly client: Pick<SchedulerClient, 'send'>,
    private readonly options: EventBridgeSchedulerOptions,
  ) {}

  scheduleRequest(monitor: ScheduledMonitor): CreateScheduleCommandInput {
    return {
      Name: scheduleName(monitor.id),
      GroupName: this.options.groupName,
      ScheduleExpression: monitor.schedule,
      ScheduleExpressionTimezone: 'UTC',
      Description: `Verdict monitor "${monitor.name}"`.slice(0, 512),
      State: 'ENABLED',
      // Exactly on time: the window a tick evaluates ends at the scheduled time.
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: this.options.monitorFunctionArn,
        RoleArn: this.options.roleArn,
        Input: scheduleInput(monitor),
        // A tick that cannot run within the hour is left to the next one, whose window starts where the last
        // successful tick ended, so nothing is lost.
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      },
    };
  }

  async upsertSchedule(monitor: ScheduledMonitor): Promise<void> {
    if (!monitor.active) return this.deleteSchedule(monitor.id);
    const request = this.scheduleRequest(monitor);
    try {
      await this.client.send(new CreateScheduleCommand(request));
    } catch (error) {
      if (!isNamed(error, 'ConflictException')) throw error;
      // It exists: UpdateSchedule replaces every setting with these.
      await this.client.send(new UpdateScheduleCommand(request));
    }
  }

  async deleteSchedule(monitorId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({ Name: scheduleName(monitorId), GroupName: this.options.groupName }),
      );
    } catch (error) {
      if (!isNamed(error, 'ResourceNotFoundException')) throw error;
    }
  }
}
