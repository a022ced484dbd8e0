import { describe, expect, it } from 'vitest';
import { loggedDeliveries } from '../../lambdas/aws/worker-log.js';

/** The lines a worker logs, as Powertools' Logger receives them (message and attributes). */
function recordingLogger() {
  const lines: Array<{ level: 'INFO' | 'WARN'; message: string; attributes: Record<string, unknown> }> = [];
  return {
    lines,
    info: (message: string, attributes: Record<string, unknown>) =>
      void lines.push({ level: 'INFO', message, attributes }),
    warn: (message: string, attributes: Record<string, unknown>) =>
      void lines.push({ level: 'WARN', message, attributes }),
  };
}

const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAUtaskTokenThatIsACredential';
const body = JSON.stringify({ kind: 'execute', orgId: 'org-1', runId: 'run-1', batch: 3, taskToken: TOKEN });

describe('worker log lines', () => {
  it('are one line per message with its run id and time, say why a message failed, and never hold its token', async () => {
    const logger = recordingLogger();
    const handle = loggedDeliveries(logger as never, async (delivery) => {
      if (delivery.receiveCount === 1) throw new Error('the system timed out');
    });
    await expect(handle({ body, receiveCount: 1, maxReceiveCount: 5 })).rejects.toThrow('the system timed out');
    await handle({ body, receiveCount: 2, maxReceiveCount: 5 });
    await handle({ body: '{not json', receiveCount: 3, maxReceiveCount: 5 });

    const [failed, handled, malformed] = logger.lines;
    expect(failed).toMatchObject({
      level: 'WARN',
      attributes: { runId: 'run-1', orgId: 'org-1', batch: 3, receiveCount: 1, error: 'the system timed out' },
    });
    expect(handled).toMatchObject({ level: 'INFO', message: 'message handled', attributes: { runId: 'run-1' } });
    expect(typeof handled!.attributes.ms).toBe('number');
    expect(malformed!.attributes).toMatchObject({ kind: 'malformed' });
    expect(JSON.stringify(logger.lines)).not.toContain(TOKEN);
  });
});
