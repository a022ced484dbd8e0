import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { scoreRecordsMessages } from '../core/pipeline/worker.js';
import type { RunLauncher, RunRepository } from '../core/runs/ports.js';
import { executionName } from './sfn-executions.js';

/** In AWS a run starts as a Step Functions execution; SDK-posted records go straight to the scorer queue. */
export function sfnLauncher(options: {
  sfn: SFNClient;
  sqs: SQSClient;
  runs: Pick<RunRepository, 'get'>;
  stateMachineArn: string;
  scorerQueueUrl: string;
}): RunLauncher {
  return {
    async start(scope, runId, mode) {
      const run = await options.runs.get(scope, runId);
      if (!run) throw new Error(`run ${runId} does not exist: no execution to start`);
      try {
        await options.sfn.send(
          new StartExecutionCommand({
            stateMachineArn: options.stateMachineArn,
            // One execution per scoring pass (see executionName): the stuck-run sweeper describes it by name.
            name: executionName(runId, run.generation),
            input: JSON.stringify({ runId, orgId: scope.orgId, mode }),
          }),
        );
      } catch (error) {
        // This pass was started already (a retried tick or request), and may even have ended: not a second one.
        if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
      }
    },
    async scoreRecords(scope, runId, recordIds) {
      for (const chunk of scoreRecordsMessages(scope, runId, recordIds, { posted: true })) {
        await options.sqs.send(new SendMessageCommand({ QueueUrl: options.scorerQueueUrl, MessageBody: chunk }));
      }
    },
  };
}
