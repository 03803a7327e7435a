import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Two projects: `unit` needs nothing but Node (the in-memory fake cluster, scripted terminals);
// `integration` runs against one real sandbox cluster that its global setup starts or reuses.
export default defineConfig({
  // A team's runbook imports the package by name; in this repository that is the sources themselves.
  resolve: {
    alias: [
      { find: /^kafka-runbooks\/testing$/, replacement: fileURLToPath(new URL('./lib/testkit/index.ts', import.meta.url)) },
      { find: /^kafka-runbooks$/, replacement: fileURLToPath(new URL('./lib/index.ts', import.meta.url)) },
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'test/cli-smoke/**', 'node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'cli',
          include: ['test/cli-smoke/**/*.test.ts'],
          globalSetup: ['test/cli-smoke/build.ts'],
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          // One shared cluster: files run one after another so a test that breaks a broker cannot surprise another.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
    benchmark: {
      include: ['bench/**/*.bench.ts'],
    },
  },
})
