process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ensureWebBuild, WEB_DIST } from '../local/web-build.js';
import { startFakeLLM } from '../test/support/fake-llm.js';
import { apiClient, startTestStack, waitForRun } from '../test/support/stack.js';
import { openBrowser } from '../test/web/support/browser.js';

/**
 * `npm run bench web`: the web app's entry bundle (gzipped; target ≤ 250 KB) and, in Debian's Chromium against
 * the embedded stack, the time from navigation to the first rendered runs list and to a run details page of a
 * 1,000-record run with its records table (target ≤ 1.5 s each, median of 5 cold page loads).
 */
export const ENTRY_TARGET_BYTES = 250 * 1024;
export const RENDER_TARGET_MS = 1_500;
const RECORDS = 1_000;
const LOADS = 5;

/** The scripts index.html loads up front (the entry and its static imports), gzipped as a CDN would serve them. */
export function entryBundle(dist = WEB_DIST) {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const sizes = files.map((file) => {
    const raw = readFileSync(join(dist, file));
    return { file, bytes: raw.length, gzipped: gzipSync(raw, { level: 9 }).length };
  });
  const lazy = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js') && !files.includes(`assets/${f}`));
  return {
    sizes,
    gzippedJs: sizes.filter((s) => s.file.endsWith('.js')).reduce((a, s) => a + s.gzipped, 0),
    lazyChunks: lazy.length,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function main() {
  await ensureWebBuild((line) => console.log(line));
  const entry = entryBundle();
  for (const s of entry.sizes)
    console.log(`  ${s.file}: ${(s.bytes / 1024).toFixed(0)} KB, ${(s.gzipped / 1024).toFixed(1)} KB gzipped`);
  console.log(
    `entry JavaScript: ${(entry.gzippedJs / 1024).toFixed(1)} KB gzipped (target ≤ ${ENTRY_TARGET_BYTES / 1024} KB; ${entry.lazyChunks} page chunks load on demand)`,
  );

  const llm = await startFakeLLM({ responder: () => ({ content: 'fine' }) });
  const stack = await startTestStack({
    pipeline: { openaiApiKey: 'k', openaiBaseURL: `${llm.url}/v1` },
    monitors: false,
  });
  const browser = await openBrowser();
  try {
    const api = apiClient(stack.url, stack.apiKey);
    const project = (await api.post('/projects', { name: 'bench' })).body;
    const metric = (
      await api.post(`/projects/${project.id}/metrics`, {
        name: 'Exact',
        evalType: 'heuristic',
        outputType: 'boolean',
        heuristic: { kind: 'exact_match', field: 'response', expectedField: 'answer' },
      })
    ).body;
    const testset = (
      await api.post(`/projects/${project.id}/testsets`, {
        name: 'big',
        fieldMapping: { inputs: ['question'], expected: ['answer'], metadata: [] },
      })
    ).body;
    for (let i = 0; i < RECORDS; i += 100) {
      const items = Array.from({ length: 100 }, (_, j) => ({ jsonData: { question: `q${i + j}`, answer: 'fine' } }));
      await api.post(`/testsets/${testset.id}/testcases`, { items });
    }
    const system = (
      await api.post(`/projects/${project.id}/systems`, {
        name: 'bot',
        config: { type: 'openai_chat', model: 'm', messages: [{ role: 'user', content: '{{ question }}' }] },
      })
    ).body;
    const run = (
      await api.post(`/projects/${project.id}/runs`, {
        testsetId: testset.id,
        systemVersionId: system.productionVersion.id,
        metricIds: [metric.id],
        maxConcurrency: 50,
      })
    ).body;
    await waitForRun(api, run.id, ['completed'], 300_000);

    const { page } = browser;
    await page.goto(`${stack.url}/signin`);
    await page.evaluate(`sessionStorage.setItem('verdict.apiKey', ${JSON.stringify(stack.apiKey)})`);
    const time = async (path: string, ready: string) => {
      const samples: number[] = [];
      for (let i = 0; i < LOADS; i++) {
        // A cold page each time: no HTTP cache, a new document (the key stays in this tab's sessionStorage).
        await browser.context.clearCookies();
        const cdp = await browser.context.newCDPSession(page);
        await cdp.send('Network.clearBrowserCache');
        await cdp.detach();
        const started = Date.now();
        await page.goto(`${stack.url}${path}`, { waitUntil: 'commit' });
        await page.locator(ready).first().waitFor({ timeout: 30_000 });
        samples.push(Date.now() - started);
      }
      return samples;
    };
    const runsList = await time(`/projects/${project.id}/runs`, 'table[aria-label="Runs"] tbody tr[data-row-id]');
    const details = await time(
      `/projects/${project.id}/runs/${run.id}`,
      'table[aria-label="Records"] tbody tr[data-row-id] .score',
    );
    const rows = await page.locator('table[aria-label="Records"] tbody tr[data-row-id]').count();
    const report = (what: string, samples: number[]) =>
      console.log(
        `${what}: median ${median(samples)} ms (loads ${samples.join(', ')} ms; target ≤ ${RENDER_TARGET_MS} ms)`,
      );
    report('first rendered runs list', runsList);
    report(`run details of a ${RECORDS}-record run (records table rendered, ${rows} rows a page)`, details);
  } finally {
    await browser.close();
    await stack.stop();
    await llm.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
