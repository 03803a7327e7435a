// Lint keeps the architecture honest: the import rules are generated from the layer table in layers.js (see
// ARCHITECTURE.md), so a "never" written there is a rule here, checked by test/architecture.test.ts.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import { layerRules } from './scripts/layer-rules.js'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.runbook/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        Buffer: 'readonly',
        NodeJS: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // The launcher is CommonJS (bin/package.json): a cold start without Node's ES module loader.
  {
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...layerRules(),
)
