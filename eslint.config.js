// Lint keeps the architecture honest: each folder may import only what the table in STYLE.md allows.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] })
const clientImports = [
  { group: ['@platformatic/kafka', '@platformatic/kafka/*'], message: 'Only lib/kafka/platformatic/ imports the Kafka client.' },
  { group: ['kafkajs', 'kafkajs/*'], message: 'Only lib/drills/workloads/ imports kafkajs.' },
]
const noCli = { group: ['**/cli/**'], message: 'Nothing imports lib/cli.' }

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
  { files: ['lib/**/*.ts', 'runbooks/**/*.ts'], rules: restrict([...clientImports, noCli]) },
  { files: ['lib/cli/**/*.ts'], rules: restrict(clientImports) },
  { files: ['lib/kafka/platformatic/**/*.ts'], rules: restrict([clientImports[1], noCli]) },
  {
    // The built CLI loads a bundle of client.ts's exports only (scripts/bundle-kafka-client.mjs). The sandbox
    // probe needs the client's Producer, which the bundle leaves out, so it imports the package itself.
    files: ['lib/kafka/platformatic/**/*.ts'],
    ignores: ['lib/kafka/platformatic/client.ts', 'lib/kafka/platformatic/sandbox-probe.ts'],
    rules: restrict([
      clientImports[1],
      noCli,
      { group: ['@platformatic/kafka', '@platformatic/kafka/*'], message: 'The access layer takes the client from ./client.ts, which the build bundles.' },
    ]),
  },
  { files: ['lib/drills/workloads/**/*.ts'], rules: restrict([clientImports[0], noCli]) },
  {
    files: ['lib/plans/**/*.ts'],
    rules: restrict([
      ...clientImports,
      noCli,
      { group: ['node:*', '**/engine/**', '**/terminal/**', '**/sandbox/**', '**/drills/**'], message: 'lib/plans is pure: kafka types in, plans out.' },
    ]),
  },
  {
    // Readers turn KafkaOps answers into the plain snapshots planners take (snapshot types may come from lib/plans).
    files: ['lib/reads/**/*.ts'],
    rules: restrict([
      ...clientImports,
      noCli,
      {
        group: ['**/engine/**', '**/terminal/**', '**/sandbox/**', '**/drills/**', '**/kafka/platformatic/**', '**/kafka/fake/**', '**/runbooks/**'],
        message: 'lib/reads: KafkaOps in, plain snapshots out.',
      },
    ]),
  },
  {
    files: ['lib/sandbox/**/*.ts'],
    rules: restrict([
      ...clientImports,
      noCli,
      { group: ['**/engine/**', '**/terminal/**', '**/plans/**', '**/drills/**', '**/kafka/**'], message: 'lib/sandbox uses node built-ins only.' },
    ]),
  },
  {
    files: ['runbooks/**/*.ts'],
    rules: restrict([
      ...clientImports,
      noCli,
      {
        group: ['**/terminal/**', '**/sandbox/**', '**/drills/**', '**/kafka/platformatic/**', '**/kafka/fake/**'],
        message: 'Runbooks use the engine, plans and kafka types only.',
      },
    ]),
  },
)
