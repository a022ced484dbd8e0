import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The import rules live in .dependency-cruiser.cjs and run in `npm run lint`. This test runs the same tool with
 * the same config, over lambdas/core (what the old regex test covered) and over a planted tree of wrong-way
 * imports, so a rule that silently stops matching (a typo in a path pattern) fails here.
 */
const root = join(import.meta.dirname, '..', '..');
const config = join(root, '.dependency-cruiser.cjs');
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

async function cruise(cwd: string, paths: string[]): Promise<Violation[]> {
  const run = promisify(execFile);
  const { stdout } = await run(process.execPath, [depcruise, ...paths, '--config', config, '--output-type', 'json'], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' })); // exit code = violation count
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

const planted = mkdtempSync(join(tmpdir(), 'verdict-import-rules-'));
afterAll(() => rmSync(planted, { recursive: true, force: true }));

function plant(files: Record<string, string>) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(planted, path)), { recursive: true });
    writeFileSync(join(planted, path), text);
  }
}

describe('import rules (dependency-cruiser)', () => {
  it('lambdas/core as it stands breaks none of them', async () => {
    expect(await cruise(root, ['lambdas/core'])).toEqual([]);
  }, 60_000);

  it('flags each wrong-way import and lets the right ones through', async () => {
    cpSync(join(root, 'tsconfig.json'), join(planted, 'tsconfig.json'));
    plant({
      'lambdas/core/ids.ts': 'export const id = 1;\n',
      'lambdas/core/runs/bad.ts': [
        "import '../../aws/dynamo/table.js';",
        "import '../../../local/stack.js';",
        "import '@aws-sdk/client-s3';",
        "import 'hono/factory';",
        "import 'openai';",
        "import 'node:http';",
        "import '../pipeline/worker.js';",
        "import '../ids.js';",
        "import 'zod';",
        '',
      ].join('\n'),
      'lambdas/core/pipeline/worker.ts': "import '../services/runs.js';\n",
      'lambdas/core/services/runs.ts': 'export const runs = 1;\n',
      'lambdas/core/schemas/run.ts': "import '../monitors/tick.js';\n",
      'lambdas/core/monitors/tick.ts': 'export const tick = 1;\n',
      'lambdas/aws/dynamo/table.ts': "import '../../api/context.js';\n",
      'lambdas/api/context.ts': 'export const api = 1;\n',
      'local/stack.ts': 'export const stack = 1;\n',
      'sdk/client.ts': "import '../lambdas/aws/dynamo/table.js';\nimport '../local/stack.js';\n",
      'web/app.ts': "import '../lambdas/api/context.js';\nimport '../sdk/client.js';\n",
      'lib/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'lib/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      'lib/c.ts': "import type { D } from './d.js';\nexport type C = D;\n",
      'lib/d.ts': "import type { C } from './c.js';\nexport type D = C | 1;\n",
    });
    const found = (await cruise(planted, ['lambdas', 'local', 'sdk', 'web', 'lib'])).map(
      (v) => `${v.rule.name}: ${v.from} → ${v.to}`,
    );
    expect(found).toEqual(
      expect.arrayContaining([
        'core-no-adapter: lambdas/core/runs/bad.ts → lambdas/aws/dynamo/table.ts',
        'core-no-adapter: lambdas/core/runs/bad.ts → local/stack.ts',
        'core-no-sdk-or-edge-library: lambdas/core/runs/bad.ts → @aws-sdk/client-s3',
        'core-no-sdk-or-edge-library: lambdas/core/runs/bad.ts → hono/factory',
        'core-no-sdk-or-edge-library: lambdas/core/runs/bad.ts → openai',
        'core-no-sdk-or-edge-library: lambdas/core/runs/bad.ts → http',
        'runs-below-services-and-pipeline: lambdas/core/runs/bad.ts → lambdas/core/pipeline/worker.ts',
        'services-pipeline-apart: lambdas/core/pipeline/worker.ts → lambdas/core/services/runs.ts',
        'schemas-are-leaves: lambdas/core/schemas/run.ts → lambdas/core/monitors/tick.ts',
        'aws-not-api: lambdas/aws/dynamo/table.ts → lambdas/api/context.ts',
        'sdk-no-server-code: sdk/client.ts → lambdas/aws/dynamo/table.ts',
        'sdk-no-server-code: sdk/client.ts → local/stack.ts',
        'web-only-through-sdk: web/app.ts → lambdas/api/context.ts',
        'no-runtime-cycles: lib/a.ts → lib/b.ts',
      ]),
    );
    // The allowed imports, and a cycle of types only (gone at runtime), are not violations.
    expect(found.filter((f) => /ids\.ts|→ zod|web\/app\.ts → sdk|lib\/[cd]\.ts/.test(f))).toEqual([]);
  }, 60_000);
});
