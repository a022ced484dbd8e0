import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { ensureWebBuild } from '../../../local/web-build.js';
import { type FakeLLM, startFakeLLM } from '../../support/fake-llm.js';
import { apiClient, startTestStack } from '../../support/stack.js';
import { type Browser, criticalViolations, openBrowser, screenshot } from './browser.js';
import { respond } from './seed.js';

/** One embedded stack with the fake LLM, the built web app and a fresh Chromium: what each browser test file starts. */
export async function startWebTest(options: { githubApiUrl?: string } = {}) {
  await ensureWebBuild();
  const llm: FakeLLM = await startFakeLLM({ responder: respond });
  const stack = await startTestStack({
    pipeline: { openaiApiKey: 'test-key', openaiBaseURL: `${llm.url}/v1` },
    monitors: false,
    githubApiUrl: options.githubApiUrl,
  });
  const api = apiClient(stack.url, stack.apiKey);
  const browser: Browser = await openBrowser();
  return {
    llm,
    stack,
    api,
    browser,
    page: browser.page,
    async stop() {
      await browser.close();
      await stack.stop();
      await llm.close();
    },
  };
}

/**
 * expect.poll with room for a loaded 2-core machine: the page re-renders as the API answers, so assertions wait
 * for a condition (never a fixed sleep) up to 15 s.
 */
export const poll = <T>(probe: () => T | Promise<T>, options: { timeout?: number } = {}) =>
  expect.poll(probe, { timeout: options.timeout ?? 15_000, interval: 100 });

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, baseUrl: string, apiKey: string) {
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Choose a project' }).waitFor();
}

/** The checks every page gets: a title of its own, no critical axe violation, and a screenshot to look at. */
export async function checkPage(page: Page, name: string, title: RegExp) {
  await poll(() => page.title()).toMatch(title);
  expect(await criticalViolations(page)).toEqual([]);
  await screenshot(page, name);
}
