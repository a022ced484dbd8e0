import { VerdictApiError, VerdictSdkError } from '../errors.js';
import { exportCommand } from './export.js';
import { type CliIO, CliUsageError, print } from './io.js';
import { KEYS_HELP, keysCommand } from './keys.js';
import { runCommand } from './run.js';
import { runsCommand } from './runs.js';

export const HELP = `verdict: run evaluations on Verdict and gate CI on them

verdict run --project P --testset T --system-version V --metrics M1,M2 [gate options]
    a hosted run: Verdict executes system version V over testset T
verdict run --module ./system.ts [--export NAME] --project P --testset T --metrics M1,M2 [gate options]
    your own system: the module's export (default: the default export), an async (inputs, systemVersion) =>
    outputs, runs here with --concurrency N (default 10) and [--trials N]; records stream to Verdict as they finish
verdict run --run-id RUN --module ./system.ts [--export NAME] [gate options]
    fill a run that already exists (one Verdict started a GitHub workflow for): its testcases run through the
    module, each record is posted, and the run is finished and gated
  gate options:
    --fail-under X          exit 1 when any metric's pass rate is below X (0–1)
    --baseline RUN          compare with an earlier run, pairing records by testcase and trial
    --gate ci|point         ci (the default with --baseline): fail only when the 95% bootstrap interval of the
                            drop excludes 0; point: fail when the drop exceeds --max-regression
    --max-regression D      fail when a metric's pass rate (or mean) is more than D below the baseline
    --max-error-rate R      fail when more than R (0–1, default 0) of a metric's records errored; a comparison
                            with a baseline that has no usable scores fails too (nothing to compare)
    --junit FILE            write a JUnit report: one testcase per metric, <failure> when it fails the gate,
                            <error> when it could not be judged (errored scores, no data to compare)
    --json                  print the result as JSON instead of a table
    --timeout SECONDS       how long to wait for the run (default 1800); --poll-ms MS (default 1000)
verdict export RUN [--out FILE] [--expires-in SECONDS]
    download the run's CSV through a presigned link (to stdout without --out)
verdict runs list --project P [--limit N] [--source api|monitor|playground|kickoff] [--json]
${KEYS_HELP}

Environment: VERDICT_API_URL (default http://127.0.0.1:8787), VERDICT_API_KEY; or --api-url, --api-key.
Exit codes: 0 passed, 1 the gate failed (or the run failed), 2 a usage, API or timeout error.
`;

const COMMANDS: Record<string, (args: string[], io: CliIO) => Promise<number>> = {
  run: runCommand,
  export: exportCommand,
  runs: runsCommand,
  keys: keysCommand,
};

function describeError(error: unknown): string {
  if (error instanceof VerdictApiError) {
    const details = error.issues.map((d) => `\n  ${d.path}: ${d.message}`).join('');
    return `${error.message}${details}`;
  }
  if (error instanceof VerdictSdkError || error instanceof CliUsageError) return error.message;
  // parseArgs reports unknown or malformed flags with a code and a readable message.
  if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
    return `${error.message} (see verdict --help)`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Runs one command line and returns its exit code; all output goes through `io`, so tests can call it too. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    print(command ? io.stdout : io.stderr, HELP);
    return command ? 0 : 2;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    print(io.stderr, `verdict: unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    print(io.stdout, HELP);
    return 0;
  }
  try {
    return await handler(rest, io);
  } catch (error) {
    print(io.stderr, `verdict ${command}: ${describeError(error)}`);
    return 2;
  }
}
