/**
 * The work queues, described once: the local stack creates them from this list and the CDK pipeline construct
 * declares them from it. Each has a dead-letter queue that receives a message after `maxReceiveCount` tries.
 */
export const QUEUE_DEFINITIONS = {
  executor: { name: 'verdict-executor', visibilityTimeoutSeconds: 960, maxReceiveCount: 3 },
  scorer: { name: 'verdict-scorer', visibilityTimeoutSeconds: 960, maxReceiveCount: 3 },
} as const;

export type QueueRole = keyof typeof QUEUE_DEFINITIONS;

export const deadLetterQueueName = (role: QueueRole) => `${QUEUE_DEFINITIONS[role].name}-dlq`;
