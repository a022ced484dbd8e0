import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each file still boots its own stack and stops it in teardown, but a worker keeps the modules it has
    // imported (the AWS SDK, Hono, openai, our code) for the next file: re-importing them for each of ~90 files
    // was a third of the suite's time (431 → 302 s here), and CI bounds the whole run. Files share no state
    // through modules: the suite passes in a shuffled file order too.
    isolate: false,
    // Two cores: each file boots its own embedded stack, so more workers only thrash.
    maxWorkers: 2,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
