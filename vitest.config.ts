import { defineConfig } from 'vitest/config'

// Two projects: `unit` needs nothing but Node (the in-memory fake cluster, scripted terminals);
// `integration` runs against one real sandbox cluster that its global setup starts or reuses.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'node_modules/**'],
          testTimeout: 20_000,
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
