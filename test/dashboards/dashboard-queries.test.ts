import { describe, expect, it } from 'vitest';
import {
  dashboardQueries,
  parseDashboard,
  referencedVariables,
  selectors,
  substituteVariables,
  variableQueryExpr,
  walkPanels,
  type GrafanaDashboard,
} from '../../src/dashboards/dashboard-queries.js';

const ds = { type: 'prometheus', uid: '${datasource}' };

const dashboard: GrafanaDashboard = {
  uid: 'u',
  title: 't',
  panels: [
    { id: 1, type: 'timeseries', title: 'Top', datasource: ds, targets: [{ refId: 'A', expr: 'sum(up)' }, { refId: 'B', expr: '' }] },
    {
      id: 2,
      type: 'row',
      title: 'Collapsed',
      collapsed: true,
      panels: [{ id: 3, type: 'stat', title: 'Nested', datasource: ds, targets: [{ refId: 'A', expr: 'rate(x_total[$__rate_interval])' }] }],
    },
  ],
  templating: {
    list: [
      { name: 'datasource', type: 'datasource', query: 'prometheus' },
      { name: 'service', type: 'query', query: { query: 'label_values(http_requests_total{a="b"}, service)', refId: 'V' } },
      { name: 'zone', type: 'query', query: 'label_values(zone)' },
      { name: 'custom', type: 'custom', query: 'a,b' },
    ],
  },
  annotations: { list: [{ name: 'Faults', expr: 'simian_active_faults > 0' }, { name: 'New style', target: { expr: 'up == 0' } }] },
};

describe('dashboard queries', () => {
  it('walks rows and the panels nested in collapsed rows', () => {
    expect(walkPanels(dashboard.panels).map((p) => p.title)).toEqual(['Top', 'Collapsed', 'Nested']);
  });

  it('lists panel, variable and annotation queries with where they come from', () => {
    expect(dashboardQueries(dashboard)).toEqual([
      { kind: 'panel', title: 'Top', panelId: 1, refId: 'A', expr: 'sum(up)' },
      { kind: 'panel', title: 'Nested', panelId: 3, refId: 'A', expr: 'rate(x_total[$__rate_interval])' },
      { kind: 'variable', title: 'service', expr: 'http_requests_total{a="b"}' },
      { kind: 'annotation', title: 'Faults', expr: 'simian_active_faults > 0' },
      { kind: 'annotation', title: 'New style', expr: 'up == 0' },
    ]);
  });

  it('reads the PromQL of variable queries', () => {
    expect(variableQueryExpr('label_values(m{a=~"x,y"}, b)')).toBe('m{a=~"x,y"}');
    expect(variableQueryExpr('query_result(topk(5, m))')).toBe('topk(5, m)');
    expect(variableQueryExpr('label_values(b)')).toBeUndefined();
    expect(variableQueryExpr('label_names()')).toBeUndefined();
  });

  it('refuses JSON that is not a dashboard', () => {
    expect(() => parseDashboard('[]', 'x.json')).toThrow(/x.json: a dashboard is a JSON object/);
    expect(() => parseDashboard('{}', 'x.json')).toThrow(/"panels" array/);
    expect(() => parseDashboard('{', 'x.json')).toThrow(SyntaxError);
  });
});

describe('substituteVariables', () => {
  it('replaces global variables by durations and numbers', () => {
    expect(substituteVariables('increase(m[$__rate_interval]) / $__range_s + increase(m[${__range}]) + rate(m[$__interval])')).toBe(
      'increase(m[5m]) / 3600 + increase(m[1h]) + rate(m[1m])',
    );
  });

  it('fills user variables by where they stand', () => {
    expect(substituteVariables('m{a=~"$a", b="${b:regex}", c="[[c]]"}')).toBe('m{a=~"var_a", b="var_b", c="var_c"}');
    expect(substituteVariables('rate(m[$window]) offset $shift')).toBe('rate(m[5m]) offset 5m');
    expect(substituteVariables('max_over_time(m[$range:$step])')).toBe('max_over_time(m[5m:5m])');
    expect(substituteVariables('histogram_quantile($q, m) > $threshold')).toBe('histogram_quantile(1, m) > 1');
    expect(substituteVariables('$metric{a="b"}')).toBe('var_metric{a="b"}');
  });

  it('takes given values first and leaves regex group references alone', () => {
    expect(substituteVariables('topk($k, m{a="$a"})', { k: '3', a: 'x' })).toBe('topk(3, m{a="x"})');
    expect(substituteVariables('label_replace(m, "d", "$1", "s", "(.*)")')).toBe('label_replace(m, "d", "$1", "s", "(.*)")');
  });

  it('lists the variables an expression uses', () => {
    expect(referencedVariables('m{a="$a", b="${b}", c="[[c]]"}[$__rate_interval] + n{a="$a"}')).toEqual(['a', 'b', 'c', '__rate_interval']);
  });
});

describe('selectors', () => {
  it('finds metric names and the labels they match on', () => {
    expect(selectors('sum by (service, le) (rate(http_request_duration_seconds_bucket{service=~"a", code!="5.."}[5m]))')).toEqual([
      { metric: 'http_request_duration_seconds_bucket', labels: ['service', 'code'] },
    ]);
  });

  it('skips functions, aggregations, keywords, label lists, durations and strings', () => {
    const found = selectors(
      'sum without (instance) (rate(a_total[5m] offset 1m)) / on (x) group_left (y) b and bool c unless count_values("lbl", d) @ start() or vector(1) + topk(3, e:rec:ratio)',
    );
    expect(found.map((s) => s.metric)).toEqual(['a_total', 'b', 'c', 'd', 'e:rec:ratio']);
  });

  it('reads selectors without a metric name and subqueries', () => {
    expect(selectors('{__name__="up", job="x"}')).toEqual([{ metric: 'up', labels: ['__name__', 'job'] }]);
    expect(selectors('{__name__=~"slo:.*"}')).toEqual([{ labels: ['__name__'] }]);
    expect(selectors('max_over_time(rate(m[1m])[5m:1m])').map((s) => s.metric)).toEqual(['m']);
  });
});
