process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { startLocalStack } from './stack.js';

/** `npm start`: the embedded stack on 127.0.0.1:${PORT:-8787}, data under ${VERDICT_DATA_DIR:-.verdict}. */
const dataDir = process.env.VERDICT_DATA_DIR ?? '.verdict';
const port = Number(process.env.PORT ?? 8787);

const stack = await startLocalStack({
  dataDir,
  port,
  apiKey: process.env.VERDICT_API_KEY || undefined,
  log: (line) => console.log(line),
});
console.log(`Verdict is running at ${stack.url}`);
console.log(`  API        ${stack.url}/api/v2   (Authorization: Bearer <key>; key in ${dataDir}/admin-api-key)`);
console.log(`  Reference  ${stack.url}/docs`);
console.log(`  Health     ${stack.url}/health`);
console.log(
  process.env.OPENAI_API_KEY
    ? `  LLM        configured (${process.env.OPENAI_BASE_URL || 'https://api.openai.com/v1'}): AI metrics and openai_chat systems run`
    : '  LLM        not configured: AI metrics and openai_chat systems will error with "no LLM configured".\n' +
        '             Set OPENAI_API_KEY (and OPENAI_BASE_URL for any OpenAI-compatible server) and restart.',
);
console.log(
  stack.outbound.allowPrivate
    ? `  Outbound   private and loopback URLs allowed (VERDICT_ALLOW_PRIVATE_URLS=1), except the stack's own ports ${[...stack.outbound.deniedPorts].join(', ')}`
    : '  Outbound   public URLs only (set VERDICT_ALLOW_PRIVATE_URLS=1 to let systems call agents on this machine or network)',
);

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
