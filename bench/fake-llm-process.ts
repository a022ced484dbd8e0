import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startFakeLLM } from '../test/support/fake-llm.js';

/**
 * The benchmark's LLM is an external service: run the fake in its own process so its HTTP work is not billed
 * to the stack's event loop. System calls (gpt-4o-mini) answer text; every other model answers as a judge.
 */
export async function startFakeLLMProcess(latencyMs: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(latencyMs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
  const url = await next();
  return {
    url,
    async requestCount() {
      const reply = next();
      child.stdin!.write('count\n');
      return Number(await reply);
    },
    /** Starts a new window of calls (see `window`). */
    async mark() {
      const reply = next();
      child.stdin!.write('mark\n');
      await reply;
    },
    /** The calls since `mark`: how many, and when the first and the last arrived (epoch ms). */
    async window(): Promise<{ calls: number; firstMs: number; lastMs: number }> {
      const reply = next();
      child.stdin!.write('window\n');
      return JSON.parse(await reply);
    },
    /** CPU time (user + system, seconds) the fake has used so far: on a small machine it competes with the stack. */
    async cpuSeconds() {
      const reply = next();
      child.stdin!.write('cpu\n');
      return Number(await reply) / 1e6;
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let window = { calls: 0, firstMs: 0, lastMs: 0 };
  const llm = await startFakeLLM({
    latencyMs: Number(process.argv[2] ?? 50),
    responder: (body) => {
      const now = Date.now();
      window = { calls: window.calls + 1, firstMs: window.firstMs || now, lastMs: now };
      return body.model === 'gpt-4o-mini'
        ? { content: 'an answer' }
        : { content: JSON.stringify({ reasoning: 'fine', score: true }) };
    },
  });
  const commands: Record<string, () => unknown> = {
    cpu: () => {
      const { user, system } = process.cpuUsage();
      return user + system;
    },
    count: () => llm.requests.length,
    mark: () => {
      window = { calls: 0, firstMs: 0, lastMs: 0 };
      return 'ok';
    },
    window: () => JSON.stringify(window),
  };
  createInterface({ input: process.stdin }).on('line', (command) => console.log(commands[command]?.() ?? 'unknown'));
  await warmUp(llm.url);
  llm.requests.length = 0;
  console.log(llm.url);
}

/**
 * The fake stands in for a provider that is always warm: serve a few thousand requests to itself before the
 * bench starts, so the stack's first run is not also the fake's JIT warm-up on the same two cores.
 */
async function warmUp(url: string, requests = 2000, concurrency = 50) {
  let sent = 0;
  const body = JSON.stringify({ model: 'warm-up', messages: [{ role: 'user', content: 'question 0' }] });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent++ < requests) {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        await res.text();
      }
    }),
  );
}
