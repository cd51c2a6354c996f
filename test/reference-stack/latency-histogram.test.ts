import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/core/index.js';
import { LatencyHistogram } from '../../src/reference-stack/load/latency-histogram.js';
import { LoadStats } from '../../src/reference-stack/load/load-stats.js';

/** The exact nearest-rank percentile of `values`. */
function exact(values: readonly number[], quantile: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(quantile * sorted.length))) - 1]!;
}

/** Latencies spread over six decades (0.05 ms to 50 s), as a run under faults sees them. */
function latencies(count: number, seed: number): number[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, () => 0.05 * 10 ** (6 * random.next()));
}

describe('latency histogram', () => {
  it('reports percentiles never below the exact ones and at most 1% above, and the exact maximum', () => {
    for (const seed of [1, 2, 3]) {
      const values = latencies(20_000, seed);
      const histogram = new LatencyHistogram();
      for (const ms of values) histogram.record(ms);
      for (const q of [0.01, 0.5, 0.9, 0.95, 0.99, 0.999, 1]) {
        const truth = exact(values, q);
        const reported = histogram.percentile(q);
        expect(reported, `seed ${seed} q ${q}`).toBeGreaterThanOrEqual(truth);
        expect(reported, `seed ${seed} q ${q}`).toBeLessThanOrEqual(truth * (1 + LatencyHistogram.relativeError));
      }
      expect(histogram.max).toBe(Math.max(...values));
      expect(histogram.count).toBe(values.length);
    }
  });

  it('handles the edges: empty, one value, and latencies under its 0.01 ms resolution (reported within 0.01 ms)', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.percentile(0.5)).toBe(0);
    histogram.record(42);
    expect(histogram.percentile(0.5)).toBe(42);
    const tiny = new LatencyHistogram();
    for (const ms of [0, 0, 0.001, -1, Number.NaN]) tiny.record(ms);
    // Exact: 0.001 and 0; both in the first bucket, reported as the largest value seen there.
    expect(tiny.percentile(0.99)).toBe(0.001);
    expect(tiny.percentile(0.5)).toBe(0.001);
  });
});

describe('load stats', () => {
  it('keeps latencies in a fixed-size histogram, not one number per request, and reports from it', () => {
    const stats = new LoadStats();
    const values = latencies(50_000, 7);
    for (const ms of values) stats.record('home', true, ms);
    // What a run holds per latency: nothing beyond the histogram's fixed buckets.
    const held = Object.values(stats as unknown as Record<string, unknown>).filter((v) => Array.isArray(v) || ArrayBuffer.isView(v));
    expect(held.every((v) => (v as ArrayLike<unknown>).length < 1_000)).toBe(true);
    const report = stats.report(1_000);
    for (const [q, key] of [[0.5, 'p50'], [0.95, 'p95'], [0.99, 'p99']] as const) {
      expect(report.latencyMs[key]).toBeGreaterThanOrEqual(Math.round(exact(values, q) * 1000) / 1000 - 0.001);
      expect(report.latencyMs[key]).toBeLessThanOrEqual(exact(values, q) * (1 + LatencyHistogram.relativeError) + 0.001);
    }
    expect(report.latencyMs.max).toBe(Math.round(Math.max(...values) * 1000) / 1000);
  });
});
