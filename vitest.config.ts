import { defineConfig } from 'vitest/config';

/**
 * Files that get the 2-core machine to themselves, one after the other: the two-region `default` stack (56
 * processes and a Prometheus), and the availability run whose assertion is a success ratio under kills (beside other
 * stacks starting, a login could wait out its deadline on a starved CPU, which says nothing about failover).
 */
const ALONE = ['test/integration/region-evacuation.test.ts', 'test/integration/no-single-point-of-failure.test.ts'];

export default defineConfig({
  test: {
    // .ci/run reads the JSON report to print its "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.{ts,tsx}'], exclude: ALONE } },
      // Groups run one after the other, lowest first: this one starts once every other file has finished.
      { extends: true, test: { name: 'alone', include: ALONE, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
