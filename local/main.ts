process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { EmulatorStartError } from './emulators.js';
import { startLocalStack } from './stack.js';
import { ensureWebBuild } from './web-build.js';

/** `npm start`: the embedded stack on 127.0.0.1:${PORT:-8787}, data under ${VERDICT_DATA_DIR:-.verdict}. */
const dataDir = process.env.VERDICT_DATA_DIR ?? '.verdict';
const port = Number(process.env.PORT ?? 8787);
const s3Port = process.env.VERDICT_S3_PORT ? Number(process.env.VERDICT_S3_PORT) : undefined;
if (s3Port !== undefined && !(Number.isInteger(s3Port) && s3Port > 0 && s3Port < 65536)) {
  console.error(`VERDICT_S3_PORT must be a port number (1–65535), not "${process.env.VERDICT_S3_PORT}"`);
  process.exit(2);
}

await ensureWebBuild((line) => console.log(line));
let stack: Awaited<ReturnType<typeof startLocalStack>>;
try {
  stack = await startLocalStack({
    dataDir,
    port,
    s3Port,
    apiKey: process.env.VERDICT_API_KEY || undefined,
    log: (line) => console.log(line),
  });
} catch (error) {
  // A port or a data dir someone else holds is the operator's to fix: one line, not a stack trace.
  if (error instanceof EmulatorStartError || (error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`Verdict could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  throw error;
}
console.log(`Verdict is running at ${stack.url}`);
console.log(`  Web app    ${stack.url}/`);
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
