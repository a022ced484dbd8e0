import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SFNClient } from '@aws-sdk/client-sfn';

/** What DescribeExecution answers for one execution ARN. */
export interface FakeExecution {
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  error?: string;
  cause?: string;
}

/**
 * Step Functions is a paid AWS service, so tests talk to this stand-in on 127.0.0.1 over its real wire
 * protocol (AWS JSON 1.0) with the real SDK client. It knows two actions: DescribeExecution answers from
 * `executions` (ExecutionDoesNotExist for any other ARN), StartExecution adds a RUNNING execution of the given
 * name (ExecutionAlreadyExists when the name is taken), as Step Functions does. Anything else is a 400.
 */
export async function startFakeStepFunctions() {
  const executions = new Map<string, FakeExecution>();
  const calls: Array<{ action: string; input: Record<string, unknown> }> = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const action = String(req.headers['x-amz-target'] ?? '').replace(/^AWSStepFunctions\./, '');
    calls.push({ action, input });
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(body));
    };
    const fail = (type: string, message: string) => reply(400, { __type: type, message });
    if (action === 'DescribeExecution') {
      const arn = String(input.executionArn);
      const execution = executions.get(arn);
      if (!execution) return fail('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
      const [, , , region, account, , machine, name] = arn.split(':');
      return reply(200, {
        executionArn: arn,
        stateMachineArn: `arn:aws:states:${region}:${account}:stateMachine:${machine}`,
        name,
        startDate: Date.now() / 1000,
        ...execution,
      });
    }
    if (action === 'StartExecution') {
      const arn = `${String(input.stateMachineArn).replace(':stateMachine:', ':execution:')}:${String(input.name)}`;
      if (executions.has(arn)) return fail('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
      executions.set(arn, { status: 'RUNNING' });
      return reply(200, { executionArn: arn, startDate: Date.now() / 1000 });
    }
    return fail('UnknownOperationException', `this fake does not know ${action}`);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    executions,
    calls,
    /** A real SDK client pointed at the fake. */
    client: () =>
      new SFNClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' } }),
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
