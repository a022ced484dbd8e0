#!/usr/bin/env node
// The `verdict` bin. The CLI is TypeScript that imports the API's own zod schemas, so it is loaded through tsx
// (a devDependency: `npm ci` installs it); registering tsx for the process also lets `--module ./system.ts`
// import the team's TypeScript system directly.
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Both hooks: a .ts file outside a `"type": "module"` package is loaded as CommonJS.
registerCjs();
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
