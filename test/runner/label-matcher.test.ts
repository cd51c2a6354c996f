import { describe, expect, it } from 'vitest';
import { sloForGroup } from '../../src/runner/control.js';
import { membershipMatcher, withLabelMatcher } from '../../src/runner/label-matcher.js';
import { API_SLO } from './harness.js';

const zone = 'zone=~"a"';

describe('withLabelMatcher', () => {
  it.each([
    ['sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))', 'sum(rate(http_requests_total{code=~"5..",zone=~"a"}[{{.window}}]))'],
    ['sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))', 'sum(rate(errors_total{zone=~"a"}[5m])) / sum(rate(requests_total{zone=~"a"}[5m]))'],
    ['sum by (zone) (rate(x_total[5m])) / on(zone) group_left(team) y', 'sum by (zone) (rate(x_total{zone=~"a"}[5m])) / on(zone) group_left(team) y{zone=~"a"}'],
    ['rate(x[5m] offset 1h) > bool 0.5 and up', 'rate(x{zone=~"a"}[5m] offset 1h) > bool 0.5 and up{zone=~"a"}'],
    ['histogram_quantile(0.99, sum without (instance) (rate(h_bucket{}[1m])))', 'histogram_quantile(0.99, sum without (instance) (rate(h_bucket{zone=~"a"}[1m])))'],
    ['{__name__="up",}', '{__name__="up",zone=~"a"}'],
    ['label_replace(up, "dst", "$1", "src", "(.*)") * 1e3 + Inf', 'label_replace(up{zone=~"a"}, "dst", "$1", "src", "(.*)") * 1e3 + Inf'],
    ['sum(rate(x[1m])) # per second, sum(rate(y[1m]))', 'sum(rate(x{zone=~"a"}[1m])) # per second, sum(rate(y[1m]))'],
  ])('%s', (query, expected) => {
    expect(withLabelMatcher(query, zone)).toBe(expected);
  });

  it('builds an anchored membership matcher with the values escaped', () => {
    expect(membershipMatcher('zone', ['us-east-1a', 'a.b'])).toBe('zone=~"us-east-1a|a\\\\.b"');
  });

  it('derives a per-group SLO from an events SLI', () => {
    const slo = sloForGroup(API_SLO, 'zone', ['zone-a']);
    expect(slo.sli).toEqual({
      kind: 'events',
      errorQuery: 'sum(rate(http_requests_total{code=~"5..",zone=~"zone-a"}[{{.window}}]))',
      totalQuery: 'sum(rate(http_requests_total{zone=~"zone-a"}[{{.window}}]))',
    });
    expect(slo.objective).toBe(API_SLO.objective);
  });
});
