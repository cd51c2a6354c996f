import { defineConfig } from 'vitest/config';

/** Runs the two-region `default` stack (55 processes and a Prometheus): it gets the 2-core machine to itself. */
const ALONE = ['test/integration/region-evacuation.test.ts'];

export default defineConfig({
  test: {
    // .ci/run reads the JSON report to print its "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.{ts,tsx}'], exclude: ALONE } },
      // Groups run one after the other, lowest first: this one starts once every other file has finished.
      { extends: true, test: { name: 'alone', include: ALONE, sequence: { groupOrder: 1 } } },
    ],
  },
});
