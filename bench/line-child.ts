import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * A bench helper in a process of its own (`module` run through tsx with `args`), spoken to a line at a time:
 * its first stdout line is its greeting (where it listens), then each command written to its stdin gets one
 * line back. `exit` is what makes it stop: a command line, or null to kill it.
 */
export async function startLineChild(module: string, args: string[], exit: string | null) {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(module), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  // One listener, replies handed out in order: asks that overlap (a sampler on a timer) each get their own line.
  const waiting: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => waiting.shift()?.(line));
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const greeting = await next();
  return {
    greeting,
    ask(command: string) {
      const reply = next();
      child.stdin!.write(`${command}\n`);
      return reply;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (exit === null) child.kill();
      else child.stdin!.write(`${exit}\n`);
      await exited;
    },
  };
}
