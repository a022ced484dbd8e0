/**
 * The work queues, described once: the local stack creates them from this list and the CDK pipeline construct
 * declares them from it. Each has a dead-letter queue that receives a message after `maxReceiveCount` tries.
 *
 * AWS's guidance for a queue feeding a Lambda: a visibility timeout of at least 6× the function's timeout (a
 * message the event source is still batching or retrying must not reappear while a worker holds it), and a
 * `maxReceiveCount` of at least 5 (a throttled invocation counts as a receive). A failed message does not wait
 * out that timeout: the worker makes it visible again after `retryVisibilitySeconds`.
 */
export const WORKER_TIMEOUT_SECONDS = 900;

export const QUEUE_DEFINITIONS = {
  executor: { name: 'verdict-executor', visibilityTimeoutSeconds: 6 * WORKER_TIMEOUT_SECONDS, maxReceiveCount: 5 },
  scorer: { name: 'verdict-scorer', visibilityTimeoutSeconds: 6 * WORKER_TIMEOUT_SECONDS, maxReceiveCount: 5 },
} as const;

export type QueueRole = keyof typeof QUEUE_DEFINITIONS;

export const deadLetterQueueName = (role: QueueRole) => `${QUEUE_DEFINITIONS[role].name}-dlq`;

/** How long a failed message stays hidden before its next try: 5 s, doubling, at most 5 minutes. */
export const retryVisibilitySeconds = (receiveCount: number) => Math.min(300, 5 * 2 ** Math.max(0, receiveCount - 1));
