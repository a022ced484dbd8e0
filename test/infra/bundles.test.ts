import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_ROOT, bundleLambda, coldImport } from '../../bench/bundles.js';
import { BUNDLE_SIZE_LIMITS, entryExists, LAMBDA_ENTRIES, LAMBDA_NAMES } from '../../lib/lambda-entries.js';

// Built with lib/bundling.ts's esbuild options, the ones NodejsFunction uses, under node_modules so the
// bundle resolves @aws-sdk/* the way it does from the Lambda runtime.
mkdirSync(dirname(BUNDLE_ROOT), { recursive: true });
const outRoot = mkdtempSync(`${BUNDLE_ROOT}-test-`);
afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

// Left as require() by esbuild because they sit in try/catch for features we never turn on:
// nunjucks' template watching (chokidar).
const OPTIONAL_REQUIRES = ['chokidar'];

describe.each(LAMBDA_NAMES)('the %s bundle', (name) => {
  const exists = entryExists(name);
  const title = (what: string) => (exists ? what : `${what} (skipped: ${LAMBDA_ENTRIES[name]} is not written yet)`);

  it.skipIf(!exists)(
    title(`fits in ${BUNDLE_SIZE_LIMITS[name] / 1_000_000} MB, imports only builtins and @aws-sdk/*, and loads`),
    async () => {
      const bundle = await bundleLambda(name, join(outRoot, name));

      expect(bundle.bytes).toBeLessThanOrEqual(BUNDLE_SIZE_LIMITS[name]);
      const unexpected = bundle.runtimeImports.filter(
        (path) => !isBuiltin(path) && !path.startsWith('@aws-sdk/') && !OPTIONAL_REQUIRES.includes(path),
      );
      expect(unexpected).toEqual([]);
      // A fresh process with the deployed environment (AWS calls go to a local stub): no syntax error, no missing
      // module, no `require` in ESM, and module-scope initialization succeeds.
      const loaded = await coldImport(bundle);
      expect(loaded.error).toBeUndefined();
    },
  );
});
