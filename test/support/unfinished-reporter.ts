import type { Reporter, TestCase, TestModule } from 'vitest/node';

/**
 * Names what is still running when a test run is stopped from outside (`.ci/run`'s `timeout` sends SIGTERM),
 * and, while the run goes on, whenever no test has finished for a while. CI keeps only the end of the output,
 * and a run cut by a timeout otherwise ends on the last test that passed, which says nothing about the one
 * that did not.
 */
const QUIET_MS = 120_000;

export default class UnfinishedReporter implements Reporter {
  private readonly modules = new Map<string, number>();
  private readonly cases = new Map<string, { name: string; module: string; since: number }>();
  private lastFinish = Date.now();
  private timer: NodeJS.Timeout | undefined;

  onInit() {
    process.once('SIGTERM', () => {
      this.print('The test run was stopped (SIGTERM).');
      process.exit(124);
    });
    this.timer = setInterval(() => {
      if (Date.now() - this.lastFinish >= QUIET_MS) {
        this.print(`No test has finished for ${Math.round((Date.now() - this.lastFinish) / 1000)} s.`);
      }
    }, QUIET_MS / 2);
    this.timer.unref();
  }

  onTestModuleStart(module: TestModule) {
    this.modules.set(module.moduleId, Date.now());
  }

  onTestModuleEnd(module: TestModule) {
    this.modules.delete(module.moduleId);
    this.lastFinish = Date.now();
  }

  onTestCaseReady(test: TestCase) {
    this.cases.set(test.id, { name: test.fullName, module: test.module.moduleId, since: Date.now() });
  }

  onTestCaseResult(test: TestCase) {
    this.cases.delete(test.id);
    this.lastFinish = Date.now();
  }

  onTestRunEnd() {
    clearInterval(this.timer);
  }

  private print(headline: string) {
    const now = Date.now();
    const seconds = (since: number) => `${Math.round((now - since) / 1000)} s`;
    const lines = [headline, 'Test files still running:'];
    for (const [module, since] of this.modules) {
      lines.push(`  ${relative(module)} (for ${seconds(since)})`);
      for (const test of this.cases.values()) {
        if (test.module === module) lines.push(`    - ${test.name} (for ${seconds(test.since)})`);
      }
    }
    if (this.modules.size === 0)
      lines.push('  none (the run is past its files: teardown or a process that will not exit)');
    process.stderr.write(`\n${lines.join('\n')}\n`);
  }
}

const relative = (path: string) => path.replace(`${process.cwd()}/`, '');
