process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { startLocalStack } from './stack.js';
import { ensureWebBuild } from './web-build.js';

/** `npm start`: the embedded stack on 127.0.0.1:${PORT:-8787}, data under ${VERDICT_DATA_DIR:-.verdict}. */
const dataDir = process.env.VERDICT_DATA_DIR ?? '.verdict';
const port = Number(process.env.PORT ?? 8787);

await ensureWebBuild((line) => console.log(line));
const stack = await startLocalStack({
  dataDir,
  port,
  apiKey: process.env.VERDICT_API_KEY || undefined,
  log: (line) => console.log(line),
});
console.log(`Verdict is running at ${stack.url}`);
console.log(`  Web app    ${stack.url}/`);
console.log(`  API        ${stack.url}/api/v2   (Authorization: Bearer <key>; key in ${dataDir}/admin-api-key)`);
console.log(`  Reference  ${stack.url}/docs`);
console.log(`  Health     ${stack.url}/health`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: shutting down`);
    await stack.stop();
    process.exit(0);
  });
}
