import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../support/csv.js';
import { checkPage, poll, signIn, startWebTest } from './support/app.js';

import { postedRun, type SeededProject, seedProject } from './support/seed.js';

let t: Awaited<ReturnType<typeof startWebTest>>;
let seeded: SeededProject;
let kickoffRunId: string;
/** Our fake of GitHub's REST API: it takes acme/bot's workflow dispatches and keeps them for the checks. */
let github: Server;
const GITHUB_TOKEN = 'github_pat_11WEBTEST0TOKEN';
const dispatches: Array<{ path: string; body: any }> = [];

beforeAll(async () => {
  github = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      const ok =
        req.headers.authorization === `Bearer ${GITHUB_TOKEN}` &&
        req.url === '/repos/acme/bot/actions/workflows/verdict.yml/dispatches';
      if (ok) dispatches.push({ path: req.url!, body: JSON.parse(text) });
      res.writeHead(ok ? 204 : 404);
      res.end();
    });
  });
  await new Promise<void>((ready) => github.listen(0, '127.0.0.1', ready));
  t = await startWebTest({ githubApiUrl: `http://127.0.0.1:${(github.address() as AddressInfo).port}` });
  seeded = await seedProject(t.api, 'Support bot');
}, 180_000);
afterAll(async () => {
  await t?.stop();
  await new Promise((done) => github?.close(done));
});

describe('the web app in Chromium: sign-in, runs, run details', () => {
  it('says so when the API key is wrong, and keeps no key', async () => {
    const { page } = t;
    await page.goto(`${t.stack.url}/projects/${seeded.projectId}/runs`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('API key').fill('vk_not-a-real-key');
    await page.getByRole('button', { name: 'Sign in' }).click();

    await poll(() => page.getByRole('alert').textContent()).toContain('was not accepted');
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await checkPage(page, 'sign-in-wrong-key', /Sign in/);
  });

  it('signs in with a real key, lists the projects, and shows an empty project as empty', async () => {
    const { page } = t;
    const empty = await t.api.post('/projects', { name: 'Empty project' });
    await signIn(page, t.stack.url, t.stack.apiKey);
    expect(await page.evaluate('Object.keys(sessionStorage)')).toEqual(['verdict.apiKey']);
    expect(page.url()).not.toContain(t.stack.apiKey);
    await checkPage(page, 'projects', /Projects/);

    await page.getByRole('link', { name: /Empty project/ }).click();
    await page.getByText('No runs yet.').waitFor();
    expect(page.url()).toBe(`${t.stack.url}/projects/${empty.body.id}/runs`);
    await page.getByText('No completed runs with these metrics yet.').or(page.getByText('Choose metrics')).waitFor();
    await checkPage(page, 'empty-project', /Runs/);
  });

  it('kicks off a 20-testcase run from the modal and shows it complete without a reload', {
    timeout: 120_000,
  }, async () => {
    const { page } = t;
    await page.goto(`${t.stack.url}/projects/${seeded.projectId}/runs`);
    // A marker that a reload or a full navigation would wipe out.
    await page.evaluate('window.sameDocument = true');
    await page.getByRole('button', { name: 'Kickoff run' }).click();
    const dialog = page.getByRole('dialog', { name: 'Kickoff run' });
    await dialog.getByLabel('Testset').selectOption({ label: 'FAQ (20 testcases)' });
    await dialog.getByLabel('Exact answer').check();
    await dialog.getByLabel('Judge: correct').check();
    await dialog.getByLabel('Short answer').check();
    await dialog.getByLabel('Model').fill('bot-model');
    await dialog.getByLabel('Content of message 2').fill('Answer this: {{ question }}');
    await dialog.getByLabel('Run name (optional)').fill('Kickoff from the UI');
    await checkPage(page, 'kickoff-modal', /Runs/);
    await dialog.getByRole('button', { name: 'Start run' }).click();

    await page.waitForURL(/\/runs\/[0-9a-z]+$/);
    kickoffRunId = page.url().split('/').at(-1)!;
    await page.locator('[data-status="completed"]').waitFor({ timeout: 90_000 });
    expect(await page.evaluate('window.sameDocument')).toBe(true);

    const run = (await t.api.get(`/runs/${kickoffRunId}`)).body;
    expect(run).toMatchObject({ source: 'kickoff', status: 'completed', numRecords: 20, name: 'Kickoff from the UI' });
    const version = (await t.api.get(`/systems/versions/${run.systemVersionId}`)).body;
    expect(version.config).toMatchObject({ type: 'openai_chat', model: 'bot-model' });
    await poll(() => page.locator('table[aria-label="Records"] tbody tr').count()).toBe(20);
    // 5 of 20 answers are wrong: the cards show the exact pass rate.
    await poll(() =>
      page.locator(`article[data-metric-version="${seeded.metrics.exact.versionId}"] .headline`).textContent(),
    ).toContain('75.0%');
    await checkPage(page, 'run-details', /Run Kickoff from the UI/);
  });

  it('expands the status badge into the per-metric scoring explanation', async () => {
    const { page } = t;
    await page.getByRole('button', { name: /Scoring status per metric/ }).click();
    const row = page.locator(`#status-explanation tr[data-metric-version="${seeded.metrics.judge.versionId}"]`);
    await poll(() => row.locator('td').allTextContents()).toEqual(['20', '0', '0', '20', '']);
  });

  it('filters runs by source with chips kept in the URL', async () => {
    const { page } = t;
    const { exact, judge, length } = seeded.metrics;
    await postedRun(t.api, seeded, [exact.id, judge.id, length.id], () => false, 'Posted by the SDK');
    await page.goto(`${t.stack.url}/projects/${seeded.projectId}/runs`);
    const rows = page.locator('table[aria-label="Runs"] tbody tr');
    await poll(() => rows.count()).toBe(2);

    await page.getByRole('group', { name: 'Filter runs by source' }).getByRole('button', { name: 'API' }).click();
    await poll(() => page.url()).toContain('source=api');
    await poll(() => rows.allTextContents()).toEqual([expect.stringContaining('Posted by the SDK')]);

    await page.getByRole('button', { name: 'Kickoff', exact: true }).click();
    await poll(() => rows.allTextContents()).toEqual([expect.stringContaining('Kickoff from the UI')]);
    await page.reload();
    await poll(() => rows.allTextContents()).toEqual([expect.stringContaining('Kickoff from the UI')]);
    expect(await page.getByRole('button', { name: 'Kickoff', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await checkPage(page, 'runs-filtered', /Runs/);
  });

  it('highlights the same run on every history chart, also after switching a metric', async () => {
    const { page } = t;
    await page.goto(
      `${t.stack.url}/projects/${seeded.projectId}/runs?metrics=${seeded.metrics.exact.id},${seeded.metrics.judge.id}`,
    );
    const charts = page.locator('figure.chart');
    await poll(() => charts.count()).toBe(2);
    const highlighted = () => charts.evaluateAll((els) => els.map((el) => el.getAttribute('data-highlighted-run')));

    // Two runs on a shared axis: the left third of a plot is the first (older) run, the right third the second.
    const plot = (i: number) => charts.nth(i).locator('.u-over');
    const hover = async (i: number, fraction: number) => {
      const box = (await plot(i).boundingBox())!;
      await page.mouse.move(box.x + box.width * fraction, box.y + box.height / 2);
    };
    await hover(0, 0.2);
    await poll(highlighted).toEqual([kickoffRunId, kickoffRunId]);

    await page.getByText('Metrics (2)').click();
    await page.getByRole('group', { name: 'Metrics to chart' }).getByLabel('Exact answer').uncheck();
    await page.getByRole('group', { name: 'Metrics to chart' }).getByLabel('Short answer').check();
    await page.getByText('Metrics (2)').click();
    await poll(() => page.url()).toContain(seeded.metrics.length.id);
    await poll(() => charts.evaluateAll((els) => els.map((el) => el.getAttribute('data-metric-id')))).toEqual([
      seeded.metrics.judge.id,
      seeded.metrics.length.id,
    ]);
    // Hovering the second chart's newer run moves the highlight on the first chart too (uPlot's cursor sync).
    const posted = (await t.api.get(`/projects/${seeded.projectId}/runs?source=api`)).body.data[0].id;
    await hover(1, 0.8);
    await poll(highlighted).toEqual([posted, posted]);
    await checkPage(page, 'run-history', /Runs/);
  });
});

describe('kickoff through GitHub', () => {
  it('explains the setup without a connection, then starts the connected workflow and lands on its run', async () => {
    const { page } = t;
    const openGithubTab = async () => {
      await page.goto(`${t.stack.url}/projects/${seeded.projectId}/runs`);
      await page.getByRole('button', { name: 'Kickoff run' }).click();
      const dialog = page.getByRole('dialog', { name: 'Kickoff run' });
      await dialog.getByRole('tab', { name: 'GitHub' }).click();
      return dialog;
    };
    let dialog = await openGithubTab();
    await dialog.getByRole('heading', { name: 'No GitHub connection is configured' }).waitFor();
    await checkPage(page, 'kickoff-github-setup', /Runs/);

    const put = await t.api.put(`/projects/${seeded.projectId}/github`, {
      owner: 'acme',
      repo: 'bot',
      workflow: 'verdict.yml',
      ref: 'release',
      token: GITHUB_TOKEN,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    dialog = await openGithubTab();
    await dialog.getByText('acme/bot').waitFor();
    expect(await dialog.textContent()).toContain('release');
    await dialog.getByLabel('Testset').selectOption({ label: 'FAQ (20 testcases)' });
    await dialog.getByLabel('Exact answer').check();
    await dialog.getByLabel('Run name (optional)').fill('From GitHub');
    await checkPage(page, 'kickoff-github', /Runs/);
    await dialog.getByRole('button', { name: 'Start in GitHub' }).click();

    await page.waitForURL(/\/runs\/[0-9a-z]+$/);
    const runId = page.url().split('/').at(-1)!;
    const run = (await t.api.get(`/runs/${runId}`)).body;
    expect(run).toMatchObject({ name: 'From GitHub', source: 'kickoff', testsetId: seeded.testsetId });
    expect(run.status).not.toBe('failed');
    // One dispatch of the connected workflow, on its ref, naming this run.
    expect(dispatches).toHaveLength(1);
    expect(dispatches[0]!.body).toMatchObject({ ref: 'release', inputs: { verdict_run_id: runId } });
    await page.getByText('From GitHub').first().waitFor();
    // The page says what the run waits for, not only "Pending".
    await poll(() => page.getByTestId('status-reason').textContent()).toContain('0 of 20 records in');
    await checkPage(page, 'run-awaiting-github', /Run From GitHub/);
  });

  it('shows why a run failed: GitHub refused to start the workflow', async () => {
    const { page } = t;
    const put = await t.api.put(`/projects/${seeded.projectId}/github`, {
      owner: 'acme',
      repo: 'gone',
      workflow: 'verdict.yml',
      ref: 'main',
      token: GITHUB_TOKEN,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await page.goto(`${t.stack.url}/projects/${seeded.projectId}/runs`);
    await page.getByRole('button', { name: 'Kickoff run' }).click();
    const dialog = page.getByRole('dialog', { name: 'Kickoff run' });
    await dialog.getByRole('tab', { name: 'GitHub' }).click();
    await dialog.getByText('acme/gone').waitFor();
    await dialog.getByLabel('Testset').selectOption({ label: 'FAQ (20 testcases)' });
    await dialog.getByRole('button', { name: 'Start in GitHub' }).click();

    await page.waitForURL(/\/runs\/[0-9a-z]+$/);
    await page.locator('[data-status="failed"]').waitFor();
    const reason = page.getByTestId('status-reason');
    await poll(() => reason.textContent()).toContain('GitHub did not start workflow acme/gone verdict.yml@main');
    expect(await reason.getAttribute('class')).toContain('error-note');
    await checkPage(page, 'run-failed-github', /Run/);
    // On the runs list, the failed run's badge says why on hover.
    const runId = page.url().split('/').at(-1)!;
    await page.goto(`${t.stack.url}/projects/${seeded.projectId}/runs`);
    const badge = page.locator(`tr:has(a[href$="/runs/${runId}"]) [data-status="failed"]`);
    await poll(() => badge.getAttribute('title')).toContain('GitHub did not start workflow acme/gone');
    await t.api.delete(`/projects/${seeded.projectId}/github`);
  });
});

describe('run details actions', () => {
  it('keeps edited notes across a reload', async () => {
    const { page } = t;
    await page.goto(`${t.stack.url}/projects/${seeded.projectId}/runs/${kickoffRunId}`);
    await page.getByRole('button', { name: 'Show details' }).click();
    await page.getByLabel('Notes').fill('Baseline prompt; look at question 3.');
    await page.getByRole('button', { name: 'Save notes' }).click();
    await page.getByRole('status').filter({ hasText: 'Notes saved' }).waitFor();

    await page.reload();
    await poll(() => page.getByLabel('Notes').inputValue()).toBe('Baseline prompt; look at question 3.');
    // The disabled button says why it is disabled.
    await page.getByText('Saved · edit to change').waitFor();
    expect((await t.api.get(`/runs/${kickoffRunId}`)).body.notes).toBe('Baseline prompt; look at question 3.');
    await page.getByText('bot-model').first().waitFor();
    await checkPage(page, 'run-notes', /Run Kickoff/);
  });

  it('exports the run as CSV through the presigned link', async () => {
    const { page } = t;
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export as CSV' }).click(),
    ]);
    const { rows } = parseCsv(readFileSync((await download.path())!, 'utf8'));
    const [header, ...body] = rows.filter((r) => r.some((cell) => cell !== ''));
    expect(body).toHaveLength(20);
    expect(header).toEqual(expect.arrayContaining([expect.stringContaining('Exact answer')]));
    expect(body.filter((r) => r.some((cell) => cell.includes('answer-0')))).not.toHaveLength(0);
    expect(body.filter((r) => r.some((cell) => /\bwrong\b/.test(cell)))).toHaveLength(5);
  });

  it('re-runs scoring with a metric the run did not have and fills its column', { timeout: 150_000 }, async () => {
    const { page } = t;
    await page.getByRole('button', { name: 'Re-run scoring' }).click();
    const dialog = page.getByRole('dialog', { name: 'Re-run scoring' });
    await dialog.getByLabel('Mentions the answer').check();
    await checkPage(page, 'rescore-modal', /Run Kickoff/);
    await dialog.getByRole('button', { name: 'Re-run scoring' }).click();

    const header = page.locator('table[aria-label="Records"] thead th', { hasText: 'Mentions the answer' });
    await header.waitFor();
    const column = await header.evaluate((th) => Array.from(th.parentElement!.children).indexOf(th));
    const cells = page.locator(`table[aria-label="Records"] tbody tr td:nth-child(${column + 1}) .score`);
    await poll(() => cells.evaluateAll((els) => els.map((el) => el.getAttribute('data-tone'))), {
      timeout: 90_000,
    }).toEqual(Array.from({ length: 20 }, () => expect.stringMatching(/^(pass|fail)$/)));
    await page.locator('[data-status="completed"]').waitFor({ timeout: 90_000 });
    // "wrong" does not mention "answer": the five wrong answers fail the new metric.
    expect(await cells.evaluateAll((els) => els.filter((el) => el.getAttribute('data-tone') === 'fail').length)).toBe(
      5,
    );
    await checkPage(page, 'run-rescored', /Run Kickoff/);
  });

  it('works from the keyboard alone: Tab reaches an action, Enter opens its dialog, Escape closes it', async () => {
    const { page } = t;
    await page.goto(`${t.stack.url}/projects/${seeded.projectId}/runs/${kickoffRunId}`);
    await page.locator('[data-status="completed"]').waitFor();
    // Tab through the page (no mouse) until the "Re-run scoring" button has the focus.
    const focusedName = () => page.evaluate("document.activeElement?.textContent?.trim() ?? ''") as Promise<string>;
    for (let i = 0; i < 40 && (await focusedName()) !== 'Re-run scoring'; i++) await page.keyboard.press('Tab');
    expect(await focusedName()).toBe('Re-run scoring');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Re-run scoring' });
    await dialog.waitFor();
    // The dialog holds the focus while it is open.
    expect(await page.evaluate("document.querySelector('dialog[open]')?.contains(document.activeElement)")).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });
});
