import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.data/**', 'coverage/**', 'console/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // A domain (functions/<domain>/) uses the cross-cutting platform/, the pure rules/ and another domain's
    // public surface (its index.ts) only: its other files are that domain's internals.
    files: ['functions/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^\\.\\./(?!platform/|rules/|\\.\\./)[^/]+/',
          message: "another domain's internals: import its public surface (../<domain>) or move what is shared to platform/ or rules/",
        }, {
          regex: '^(\\.\\./)+(local|infra|test|bench)(/|$)',
          message: 'functions/ knows nothing of where it runs: it imports schemas/ and its own code only',
        }],
      }],
    },
  },
  {
    // platform/ and rules/ serve every domain and import none
    files: ['functions/platform/**/*.ts', 'functions/rules/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^\\.\\./(?!platform/|rules/|\\.\\./)[^/]+', message: 'platform/ and rules/ import no domain' }],
      }],
    },
  },
  {
    // the web console: React's rules of hooks; it imports schemas/ and nothing else of ours
    files: ['console/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat['recommended-latest'],
  },
  {
    files: ['console/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(\\.\\./)+(functions|local|infra|workflows|test|bench)(/|$)', message: 'the console imports schemas/ only (DESIGN.md layout)' }],
      }],
    },
  },
  {
    // tests read JSON replies whose shape the assertions themselves check
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
