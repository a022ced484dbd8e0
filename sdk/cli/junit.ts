import { formatStatistic, type GateResult, number, percent } from './gate.js';

// XML 1.0 forbids most control characters even when escaped; drop them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export const escapeXml = (text: string) =>
  text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

const element = (tag: 'failure' | 'error', type: string, reasons: string[]) =>
  reasons.length
    ? `\n      <${tag} type="${type}" message="${escapeXml(reasons.join('; '))}">${escapeXml(reasons.join('\n'))}</${tag}>`
    : '';

/**
 * A JUnit report CI systems understand (GitHub, GitLab, Jenkins, CircleCI): one testcase per metric. A metric
 * that could not be judged (errored scores, a comparison with no data) is an <error>, one that was judged and
 * fell short (or whose run failed) a <failure>: CI systems show the two apart, and neither is a pass.
 */
export function junitReport(result: GateResult, run: { id: string; url: string }, seconds: number): string {
  const isError = (m: GateResult['metrics'][number]) => m.errors.length > 0;
  const failures = result.metrics.filter(
    (m) => !isError(m) && (m.failures.length > 0 || result.runFailures.length > 0),
  ).length;
  const errors = result.metrics.filter(isError).length;
  const cases = result.metrics.map((m) => {
    const reasons = [...result.runFailures, ...m.failures];
    const errorRate = m.errorRate === null ? '' : ` (${percent(m.errorRate)})`;
    const summary =
      `pass rate ${percent(m.passRate)} · mean ${number(m.mean)} · n ${m.n} · errored ${m.errored}${errorRate}` +
      (m.comparison
        ? ` · vs baseline ${formatStatistic(m.comparison.statistic, m.comparison.difference)}` +
          (m.comparison.interval
            ? ` (95% CI ${formatStatistic(m.comparison.statistic, m.comparison.interval.lower)} to ${formatStatistic(m.comparison.statistic, m.comparison.interval.upper)})`
            : '')
        : '');
    const outcome = isError(m)
      ? element('error', 'verdict.unjudged', [...m.errors, ...reasons])
      : element('failure', 'verdict.gate', reasons);
    return (
      `    <testcase name="${escapeXml(m.name)}" classname="verdict.${escapeXml(run.id)}" time="0">${outcome}\n` +
      `      <system-out>${escapeXml(`${summary}\n${run.url}`)}</system-out>\n    </testcase>`
    );
  });
  const counts = `tests="${result.metrics.length}" failures="${failures}" errors="${errors}" skipped="0"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="verdict" ${counts} time="${seconds.toFixed(3)}">`,
    `  <testsuite name="verdict run ${escapeXml(run.id)}" ${counts} time="${seconds.toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
