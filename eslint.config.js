// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layering from './eslint/layering.mjs';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      'content-bundles/**',
      '**/*.mjs',
      'bin/**',
      // Browser scripts inside SCORM fixture packages (served to Chromium, not project code).
      'test/fixtures/**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  // The layering of docs/ARCHITECTURE.md (eslint/layering.mjs): core/, db/, web/ and contract/ import no
  // feature, no feature imports the wiring (app/, cli/), repos call no service, express only at the edge;
  // SQL only in repos, db/ and migrations.
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { fieldclass: layering },
    rules: { 'fieldclass/layering': 'error', 'fieldclass/sql-in-repos': 'error' },
  },
  // Plain browser scripts served as they are (no build step): no type information, browser globals.
  {
    files: ['src/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'script',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'navigator',
          'console',
          'setTimeout',
          'clearTimeout',
          'URLSearchParams',
          'XMLHttpRequest',
          'fetch',
          'FormData',
          'setInterval',
          'Blob',
          'history',
          'URL',
          'AbortController',
          'DOMParser',
        ].map((g) => [g, 'readonly']),
      ),
    },
  },
);
