import { Logger } from '@aws-lambda-powertools/logger';
import { SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { createAwsClients } from '../aws/clients.js';
import { readLambdaConfig } from '../aws/config.js';
import { createRepositories } from '../aws/repositories.js';
import { sfnRunExecutions } from '../aws/sfn-executions.js';
import { sfnLauncher } from '../aws/sfn-launcher.js';
import type { MonitorDeps } from '../core/monitors/ports.js';
import { tickFromSchedule } from '../core/monitors/tick.js';
import { sweepRuns } from '../core/runs/sweep.js';

/** EventBridge Scheduler → one monitor tick: sample the window's traces into a Run and start scoring it. */
const config = readLambdaConfig();
if (!config.STATE_MACHINE_ARN) throw new Error('STATE_MACHINE_ARN must name the run-evaluation state machine');
const logger = new Logger({ serviceName: 'verdict-monitor' });
const clients = createAwsClients({ region: config.AWS_REGION });
const repositories = createRepositories(clients, { tableName: config.TABLE_NAME, bucketName: config.BUCKET_NAME });
const sfn = new SFNClient({ region: config.AWS_REGION });
const deps: MonitorDeps = {
  ...repositories,
  // A tick only starts executions; posted-record scoring (the scorer queue) is the API's business.
  launcher: sfnLauncher({
    sfn,
    sqs: clients.sqs,
    runs: repositories.runs,
    stateMachineArn: config.STATE_MACHINE_ARN,
    scorerQueueUrl: config.SCORER_QUEUE_URL ?? '',
  }),
};
// The sweeper asks Step Functions about each active run's latest execution (DescribeExecution).
const executions = sfnRunExecutions({ sfn, stateMachineArn: config.STATE_MACHINE_ARN, runs: repositories.runs });

const TickEvent = z.object({
  monitorId: z.string().min(1),
  orgId: z.string().min(1),
  scheduledTime: z.string().optional(),
});

/** The stack's run sweep schedule (rate(5 minutes) in the monitor schedule group). */
const SweepEvent = z.object({ kind: z.literal('sweep') });

export async function handler(event: unknown) {
  if (SweepEvent.safeParse(event).success) {
    // A run whose execution failed, timed out or was stopped is settled now, not after RUN_STUCK_MINUTES.
    const result = await sweepRuns(deps, new Date(), {
      idleMinutes: config.RUN_IDLE_CLOSE_MINUTES,
      stuckMinutes: config.RUN_STUCK_MINUTES,
      executions,
    });
    logger.info('run sweep', result);
    return result;
  }
  const parsed = TickEvent.safeParse(event);
  // A malformed input can only come from a hand-edited schedule: retrying cannot fix it, so say so and stop.
  if (!parsed.success) {
    logger.error('not a monitor tick event', { event });
    return null;
  }
  const result = await tickFromSchedule(deps, parsed.data, new Date());
  logger.info(result ? 'monitor tick' : 'monitor no longer exists; its schedule fired in vain', {
    ...(result ?? parsed.data),
  });
  return result;
}
