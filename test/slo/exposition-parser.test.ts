import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { isSimianError } from '../../src/core/errors.js';
import { parseExposition } from '../../src/slo/exposition-parser.js';

describe('parseExposition', () => {
  it('reads what prom-client writes: counters, gauges, histogram parts, default labels', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ region: 'us-east', instance: 'api-0' });
    const counter = new Counter({ name: 'http_requests_total', help: 'h', labelNames: ['code'], registers: [registry] });
    counter.inc({ code: '200' }, 7);
    counter.inc({ code: '500' }, 0);
    new Gauge({ name: 'queue_depth', help: 'h', registers: [registry] }).set(3);
    new Histogram({ name: 'latency_seconds', help: 'h', buckets: [0.1, 1], registers: [registry] }).observe(0.5);

    const samples = parseExposition(await registry.metrics());

    expect(samples.find((s) => s.name === 'http_requests_total' && s.labels.code === '200')).toEqual({
      name: 'http_requests_total',
      labels: { code: '200', region: 'us-east', instance: 'api-0' },
      value: 7,
      type: 'counter',
    });
    expect(samples.find((s) => s.name === 'http_requests_total' && s.labels.code === '500')?.value).toBe(0);
    expect(samples.find((s) => s.name === 'queue_depth')).toMatchObject({ value: 3, type: 'gauge' });
    const buckets = samples.filter((s) => s.name === 'latency_seconds_bucket');
    expect(buckets.map((b) => [b.labels.le, b.value, b.type])).toEqual([
      ['0.1', 0, 'histogram'],
      ['1', 1, 'histogram'],
      ['+Inf', 1, 'histogram'],
    ]);
    expect(samples.find((s) => s.name === 'latency_seconds_count')).toMatchObject({ value: 1, type: 'histogram' });
  });

  it('handles escapes, special values, timestamps, spaces and untyped samples', () => {
    const text = [
      '# HELP weird_total a "help" line with \\n escapes',
      '# TYPE weird_total counter',
      'weird_total{path="/a\\"b\\\\c\\nd",empty=""} 1.5e3 1700000000000',
      'weird_total { code = "x" , } +Inf',
      'other NaN',
      'neg -Inf',
      '',
    ].join('\n');
    const samples = parseExposition(text);
    expect(samples[0]).toEqual({ name: 'weird_total', labels: { path: '/a"b\\c\nd', empty: '' }, value: 1500, timestampMs: 1_700_000_000_000, type: 'counter' });
    expect(samples[1]).toMatchObject({ labels: { code: 'x' }, value: Number.POSITIVE_INFINITY });
    expect(samples[2]).toMatchObject({ name: 'other', type: 'untyped' });
    expect(samples[2]!.value).toBeNaN();
    expect(samples[3]!.value).toBe(Number.NEGATIVE_INFINITY);
  });

  it('refuses a malformed line, naming its number, rather than undercount', () => {
    const bad = 'ok_total 1\nbroken_total{code="500" 2\n';
    let error: unknown;
    try {
      parseExposition(bad);
    } catch (e) {
      error = e;
    }
    expect(isSimianError(error, 'scrape.badExposition')).toBe(true);
    expect((error as Error).message).toContain('line 2');
    expect(() => parseExposition('x_total abc\n')).toThrow(/bad value "abc"/);
    expect(() => parseExposition('x_total{a="1"}\n')).toThrow(/expected a value/);
  });
});
