import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startFakeLLM } from '../test/support/fake-llm.js';
import { startLineChild } from './line-child.js';

/**
 * The benchmark's LLM is an external service: run the fake in its own process so its HTTP work is not billed
 * to the stack's event loop. System calls (gpt-4o-mini) answer text; every other model answers as a judge
 * (grader-promptfoo in promptfoo's llm-rubric shape).
 */
export async function startFakeLLMProcess(latencyMs: number) {
  const child = await startLineChild(import.meta.url, [String(latencyMs)], null);
  return {
    url: child.greeting,
    requestCount: async () => Number(await child.ask('count')),
    /** Starts a new window of calls (see `window`). */
    mark: async () => {
      await child.ask('mark');
    },
    /** The calls since `mark`: how many, and when the first and the last arrived (epoch ms). */
    window: async (): Promise<{ calls: number; firstMs: number; lastMs: number }> =>
      JSON.parse(await child.ask('window')),
    /** CPU time (user + system, seconds) the fake has used so far: on a small machine it competes with the stack. */
    cpuSeconds: async () => Number(await child.ask('cpu')) / 1e6,
    close: () => child.stop(),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let window = { calls: 0, firstMs: 0, lastMs: 0 };
  const llm = await startFakeLLM({
    latencyMs: Number(process.argv[2] ?? 50),
    responder: (body) => {
      const now = Date.now();
      window = { calls: window.calls + 1, firstMs: window.firstMs || now, lastMs: now };
      if (body.model === 'gpt-4o-mini') return { content: 'an answer' };
      // promptfoo's llm-rubric grader (bench/peer.ts) reads {pass, score, reason}.
      if (body.model === 'grader-promptfoo')
        return { content: JSON.stringify({ pass: true, score: 1, reason: 'fine' }) };
      return { content: JSON.stringify({ reasoning: 'fine', score: true }) };
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
