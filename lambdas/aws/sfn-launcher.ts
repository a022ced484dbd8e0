import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { scoreRecordsMessages } from '../core/pipeline/worker.js';
import type { RunLauncher } from '../core/runs/ports.js';

/** In AWS a run starts as a Step Functions execution; SDK-posted records go straight to the scorer queue. */
export function sfnLauncher(options: {
  sfn: SFNClient;
  sqs: SQSClient;
  stateMachineArn: string;
  scorerQueueUrl: string;
}): RunLauncher {
  return {
    async start(scope, runId, mode) {
      await options.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: options.stateMachineArn,
          // One execution per (run, mode, moment): names must be unique for 90 days.
          name: `${runId}-${mode}-${Date.now()}`,
          input: JSON.stringify({ runId, orgId: scope.orgId, mode }),
        }),
      );
    },
    async scoreRecords(scope, runId, recordIds) {
      for (const chunk of scoreRecordsMessages(scope, runId, recordIds, { posted: true })) {
        await options.sqs.send(new SendMessageCommand({ QueueUrl: options.scorerQueueUrl, MessageBody: chunk }));
      }
    },
  };
}
