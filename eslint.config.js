// Lint: the recommended JS and typescript-eslint rules, plus what keeps a test suite honest
// (no focused or skipped tests) and the codebase small (no unused code).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '_site/**', '.restatic/**', 'coverage/**', 'scratch/**', 'test-results/**', 'bench/.out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', performance: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', fetch: 'readonly', window: 'readonly', document: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-control-regex': 'off',
      'no-restricted-properties': ['error',
        { object: 'it', property: 'only', message: 'A focused test hides the rest of the suite.' },
        { object: 'describe', property: 'only', message: 'A focused test hides the rest of the suite.' },
        { object: 'it', property: 'skip', message: 'A skipped test cannot fail.' },
        { object: 'describe', property: 'skip', message: 'A skipped test cannot fail.' },
      ],
    },
  },
  // The storefront's own scripts run in the browser.
  { files: ['site/assets/**/*.js'], languageOptions: { globals: { DOMParser: 'readonly', URLSearchParams: 'readonly', location: 'readonly', history: 'readonly', localStorage: 'readonly' } } },
);
