import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers (docs/ARCHITECTURE.md, "Layers"), enforced on every import:
//   webview/        the browser side of the panels: imports only src/shared (and browser packages)
//   src/shared      plain data model, scoring and message protocols: imports nothing of ours outside it
//   src/core        the engine: never vscode, src/extension or src/cli
//   src/cli         a shell over the engine: never vscode or src/extension
// test/unit/layers/layers.test.ts runs this config on offending files, so a rule that stops
// working fails `npm test`.
const layer = (files, message, { paths = [], regex = [] }) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: paths.map((name) => ({ name, message })),
        patterns: regex.map((r) => ({ regex: r, message })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cache/**', '.finger-tmp/**', 'test-output/**', '**/*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  layer(['webview/**/*.ts'], 'webview/ imports only src/shared (docs/ARCHITECTURE.md, "Layers").', {
    paths: ['vscode'],
    regex: ['^(\\.\\./)+src/(?!shared/)', '^node:', '^(fs|path|child_process|os|crypto)$'],
  }),
  layer(['src/shared/**/*.ts'], 'src/shared imports nothing of ours outside src/shared (docs/ARCHITECTURE.md, "Layers").', {
    paths: ['vscode'],
    regex: ['^(\\.\\./)+(core|extension|cli)(/|$)', '^(\\.\\./)+\\.\\./(webview|test)(/|$)'],
  }),
  layer(['src/core/**/*.ts'], 'src/core never imports vscode, src/extension or src/cli (docs/ARCHITECTURE.md, "Layers").', {
    paths: ['vscode'],
    regex: ['^(\\.\\./)+(extension|cli)(/|$)', '^(\\.\\./)+\\.\\./webview(/|$)'],
  }),
  layer(['src/cli/**/*.ts'], 'src/cli never imports vscode or src/extension (docs/ARCHITECTURE.md, "Layers").', {
    paths: ['vscode'],
    regex: ['^(\\.\\./)+extension(/|$)', '^(\\.\\./)+\\.\\./webview(/|$)'],
  }),
  {
    // Plain CommonJS entry points (bin/finger.js, preload scripts) are meant to use require.
    files: ['**/*.mjs', '**/*.cjs', 'bin/**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
