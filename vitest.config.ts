import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    // A guard against hangs: slow tests on a busy shared machine are not hangs (seen: 30 s tests at 1.6× the usual time).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: the protocol servers run in the global-setup process, tests in two forks.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
