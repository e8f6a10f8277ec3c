import { defineConfig } from 'vitest/config';

/** The visitor suite: the local stack in a real browser (Debian's chromium via playwright-core). */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
