import type { Logger } from '@aws-lambda-powertools/logger';
import type { Delivery } from '../core/pipeline/worker.js';

/**
 * What a worker message is about, for its log line: the run, organization and batch (or how many posted records),
 * never the body itself, which carries a task token.
 */
function messageKeys(body: string): Record<string, unknown> {
  try {
    const message = JSON.parse(body) as Record<string, unknown>;
    return {
      kind: message.kind,
      runId: message.runId,
      orgId: message.orgId,
      batch: message.batch,
      records: Array.isArray(message.recordIds) ? message.recordIds.length : undefined,
    };
  } catch {
    return { kind: 'malformed' };
  }
}

/**
 * One structured line per message a worker handles, with its run id, how long it took and, when it failed, why
 * (it then goes back to the queue). The Lambda's request id is on every line through `logger.addContext`.
 */
export function loggedDeliveries(logger: Pick<Logger, 'info' | 'warn'>, handle: (delivery: Delivery) => Promise<void>) {
  return async (delivery: Delivery) => {
    const keys = { ...messageKeys(delivery.body), receiveCount: delivery.receiveCount };
    const started = Date.now();
    try {
      await handle(delivery);
      logger.info('message handled', { ...keys, ms: Date.now() - started });
    } catch (error) {
      logger.warn('message failed; the queue delivers it again', {
        ...keys,
        ms: Date.now() - started,
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
  };
}
