import { readFileSync } from 'node:fs';
import { apiClient } from '../test/support/stack.js';

/** Latency percentiles in milliseconds from a list of samples. */
export function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { p50: at(50), p90: at(90), p99: at(99), n: sorted.length };
}

/** Runs `op` from `concurrency` loops for `durationMs`, returning per-call latencies and throughput. */
export async function closedLoop(op: () => Promise<unknown>, concurrency: number, durationMs: number) {
  const samples: number[] = [];
  const end = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await op();
        samples.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { ...percentiles(samples), perSecond: samples.length / seconds };
}

export const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** A POST through the tests' API client (real HTTP) that returns the body; a refusal stops the bench with it. */
export function benchPoster(url: string, apiKey: string) {
  const api = apiClient(url, apiKey);
  return async (path: string, body: unknown) => {
    const res = await api.post(path, body);
    if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
}

/** The metrics the storage benches seed scores for: one heuristic and human ones of each other output type. */
export const BENCH_METRICS = {
  exact: { name: 'exact', evalType: 'heuristic', outputType: 'boolean', heuristic: { kind: 'exact_match' } },
  quality: { name: 'quality', evalType: 'human', outputType: 'int' },
  similarity: { name: 'similarity', evalType: 'human', outputType: 'float' },
};

/**
 * CPU time the hypervisor gave to other guests (seconds, all cores; Linux's /proc/stat "steal"), or null
 * elsewhere. On a shared VM a bench's wall time moves with it; benches print it so a slow run can be told
 * from a slow machine.
 */
export function stolenCpuSeconds(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    return Number(fields[8]) / 100; // USER_HZ
  } catch {
    return null;
  }
}

/**
 * Where a run's wall time went, read off the fake LLM's window of calls: before the first call, how full the
 * concurrency budget was kept while calls ran, and after the last reply until the run was completed.
 */
export function llmTimeline(
  calls: { calls: number; firstMs: number; lastMs: number },
  run: { startedAt: number; seconds: number },
  latencyMs: number,
  concurrency: number,
) {
  const span = (calls.lastMs - calls.firstMs + latencyMs) / 1000;
  const endedAt = run.startedAt + run.seconds * 1000;
  return (
    `${calls.calls} calls; first after ${fmt((calls.firstMs - run.startedAt) / 1000)} s, ` +
    `${fmt((calls.calls * latencyMs) / 1000 / span, 1)} of ${concurrency} in flight on average over ${fmt(span)} s, ` +
    `last reply to completed ${fmt((endedAt - calls.lastMs - latencyMs) / 1000)} s`
  );
}
