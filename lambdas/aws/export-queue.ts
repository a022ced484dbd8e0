import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ExportJob, ExportQueue } from '../core/exports/ports.js';

/** The export worker's timeout: the longest a Lambda may run, and far past the 30 s an API request may. */
export const EXPORT_WORKER_TIMEOUT_SECONDS = 900;

/**
 * The export queue, described once for the local stack and the CDK construct. Visibility is 6 × the worker's
 * timeout and a job is tried 5 times before its dead-letter queue, as AWS advises for SQS event sources.
 */
export const EXPORT_QUEUE_DEFINITION = {
  name: 'verdict-exports',
  visibilityTimeoutSeconds: 6 * EXPORT_WORKER_TIMEOUT_SECONDS,
  maxReceiveCount: 5,
} as const;

/** Export jobs as SQS messages, in AWS and on the local SQS emulator alike. */
export class SqsExportQueue implements ExportQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(job: ExportJob) {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(job) }));
  }
}
