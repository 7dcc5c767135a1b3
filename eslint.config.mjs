import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'data/**',
      '.cache/**',
      '.tmp/**',
      'client/dist/**',
      'dashboard/dist/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        module: 'writable',
        require: 'readonly',
        process: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Projections are pure: events in, read-model operations out. No I/O, no clock, no randomness.
    files: ['projections/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'net', 'http', 'os', 'child_process'],
              message: 'projections are pure',
            },
            {
              group: ['mongodb', '@eventstore/*', 'koa', 'koa-*', '@koa/*'],
              message: 'projections are pure',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'time comes from event metadata' },
        { object: 'Math', property: 'random', message: 'projections are deterministic' },
      ],
    },
  },
  {
    // The SDK core runs in any browser and ships with no dependencies.
    files: ['client/core/**/*.ts'],
    ignores: ['client/core/**/*.spec.ts', 'client/core/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'react', 'react-*', 'zod'],
              message: 'the SDK core has no dependencies',
            },
          ],
        },
      ],
    },
  },
  {
    // Only the event-store adapter (and the embedded server it talks to) may use the client.
    files: ['src/**/*.ts'],
    ignores: ['src/eventstore/**', 'src/embedded-eventstore/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@eventstore/*'], message: 'use src/eventstore' }] },
      ],
    },
  },
);
