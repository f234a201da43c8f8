import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      'aggregator/**/*.test.ts',
      'relayer/**/*.test.ts',
      'circuits/**/*.test.ts',
      'contracts/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    setupFiles: ['test/setup.ts'],
    // builds the circuit in the background; tests that need it wait in test/helpers/circuits.ts
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 90_000,
    pool: 'forks',
  },
})
