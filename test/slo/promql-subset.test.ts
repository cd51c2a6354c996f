import { describe, expect, it } from 'vitest';
import { isSimianError } from '../../src/core/errors.js';
import { evaluateSubsetQuery, matchesAll, metricNamesOf, parseSubsetQuery, type SubsetTerm } from '../../src/slo/promql-subset.js';

function unsupported(query: string): Error {
  try {
    parseSubsetQuery(query);
  } catch (error) {
    expect(isSimianError(error, 'slo.unsupportedQuery')).toBe(true);
    return error as Error;
  }
  throw new Error(`parsed: ${query}`);
}

describe('parseSubsetQuery', () => {
  it('parses sum(rate(...)) with every matcher kind and the window placeholder', () => {
    const query = parseSubsetQuery(`sum(rate(http_requests_total{job="simian", code=~"5..",route!="/health",method!~'HEAD|OPTIONS',}[{{.window}}]))`);
    expect(query).toEqual({
      kind: 'term',
      term: {
        fn: 'rate',
        range: '{{.window}}',
        matchers: [
          { name: '__name__', op: '=', value: 'http_requests_total' },
          { name: 'job', op: '=', value: 'simian' },
          { name: 'code', op: '=~', value: '5..' },
          { name: 'route', op: '!=', value: '/health' },
          { name: 'method', op: '!~', value: 'HEAD|OPTIONS' },
        ],
      },
    });
  });

  it('parses increase, literal ranges, a bare metric, a selector without a name, whitespace, and a difference of two terms', () => {
    expect(parseSubsetQuery(' sum ( increase ( x_total [ 5m ] ) ) ')).toEqual({
      kind: 'term',
      term: { fn: 'increase', range: '5m', matchers: [{ name: '__name__', op: '=', value: 'x_total' }] },
    });
    expect(parseSubsetQuery('sum(rate({__name__="x_total",code="500"}[1h30m]))')).toMatchObject({ kind: 'term', term: { range: '1h30m' } });
    const latency = parseSubsetQuery(
      'sum(rate(http_request_duration_seconds_count{service="gateway"}[{{.window}}]))\n - (sum(rate(http_request_duration_seconds_bucket{service="gateway",le="0.25"}[{{.window}}])))',
    );
    expect(latency.kind).toBe('difference');
    expect(metricNamesOf(latency)).toEqual(['http_request_duration_seconds_count', 'http_request_duration_seconds_bucket']);
  });

  it('keeps regex escapes as the regex needs them and reads raw strings', () => {
    const q = parseSubsetQuery('sum(rate(x{code=~"5\\\\d\\\\d|4\\d\\d",path=`a\\b`}[1m]))');
    expect(q.kind === 'term' && q.term.matchers.slice(1)).toEqual([
      { name: 'code', op: '=~', value: '5\\d\\d|4\\d\\d' },
      { name: 'path', op: '=', value: 'a\\b' },
    ]);
  });

  it('refuses everything outside the subset with slo.unsupportedQuery naming the query', () => {
    const ratio = 'sum(rate(a[5m])) / sum(rate(b[5m]))';
    expect(unsupported(ratio).message).toContain(ratio);
    unsupported('sum by (code) (rate(a[5m]))');
    unsupported('sum(rate(a[5m])) by (code)');
    unsupported('avg(rate(a[5m]))');
    unsupported('sum(irate(a[5m]))');
    unsupported('rate(a[5m])');
    unsupported('sum(rate(a[5m] offset 1m))');
    unsupported('sum(rate(a[5m:1m]))');
    unsupported('sum(rate(a{code=~"5(("}[5m]))');
    unsupported('sum(rate(a[5m])) - sum(rate(b[5m])) - sum(rate(c[5m]))');
    unsupported('sum(rate(a{code="500}[5m]))');
    unsupported('');
  });
});

describe('matchesAll', () => {
  const labels = { __name__: 'http_requests_total', code: '503', route: '/titles/:id' };

  it('anchors regexes at both ends, as PromQL does', () => {
    const m = (value: string) => [{ name: 'code', op: '=~' as const, value }];
    expect(matchesAll(m('5..'), labels)).toBe(true);
    expect(matchesAll(m('5'), labels)).toBe(false); // unanchored, "5" would match "503"
    expect(matchesAll(m('50'), labels)).toBe(false);
    expect(matchesAll(m('2..|5..'), labels)).toBe(true);
    expect(matchesAll([{ name: 'code', op: '!~', value: '5..' }], labels)).toBe(false);
  });

  it('reads a missing label as the empty string', () => {
    expect(matchesAll([{ name: 'zone', op: '=', value: '' }], labels)).toBe(true);
    expect(matchesAll([{ name: 'zone', op: '!=', value: '' }], labels)).toBe(false);
    expect(matchesAll([{ name: 'zone', op: '=~', value: '.*' }], labels)).toBe(true);
    expect(matchesAll([{ name: 'route', op: '!=', value: '/health' }], labels)).toBe(true);
  });
});

describe('evaluateSubsetQuery', () => {
  const increases: Record<string, number> = { total: 1000, errors: 25, fast: 900 };
  const nameOf = (term: SubsetTerm) => term.matchers.find((m) => m.name === '__name__')?.value ?? '';
  const sum = (term: SubsetTerm) => increases[nameOf(term)];

  it('returns increases as they are and rates per second of the window', () => {
    expect(evaluateSubsetQuery(parseSubsetQuery('sum(increase(errors[{{.window}}]))'), 100, sum)).toBe(25);
    expect(evaluateSubsetQuery(parseSubsetQuery('sum(rate(total[{{.window}}]))'), 100, sum)).toBe(10);
    expect(evaluateSubsetQuery(parseSubsetQuery('sum(rate(total[{{.window}}])) - sum(rate(fast[{{.window}}]))'), 100, sum)).toBe(1);
  });

  it('is empty, not 0, when a term matches no series (like PromQL)', () => {
    expect(evaluateSubsetQuery(parseSubsetQuery('sum(rate(missing[1m]))'), 60, sum)).toBeUndefined();
    expect(evaluateSubsetQuery(parseSubsetQuery('sum(rate(total[1m])) - sum(rate(missing[1m]))'), 60, sum)).toBeUndefined();
  });
});
