import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { importOpenSlo, parseLocatedYamlDocuments } from '../../src/slo/openslo-import.js';
import { SLO_INVALID } from '../../src/slo/sloth-spec.js';

const metric = (query: string) => `{ metricSource: { type: Prometheus, spec: { query: '${query}' } } }`;

/** One OpenSLO SLO document with an inline ratioMetric. */
function sloDoc(options: { name?: string; service?: string; ratio: string[]; objectives?: string; extra?: string[] }): string {
  return [
    'apiVersion: openslo/v1',
    'kind: SLO',
    `metadata: { name: ${options.name ?? 'availability'}, displayName: Availability }`,
    'spec:',
    `  service: ${options.service ?? 'checkout'}`,
    '  budgetingMethod: Occurrences',
    '  timeWindow: [{ duration: 30d, isRolling: true }]',
    `  objectives: ${options.objectives ?? '[{ displayName: Good, target: 0.999 }]'}`,
    ...(options.extra ?? []),
    '  indicator:',
    '    metadata: { name: checkout-sli }',
    '    spec:',
    '      ratioMetric:',
    ...options.ratio.map((line) => `        ${line}`),
  ].join('\n');
}

function problems(text: string): string {
  try {
    importOpenSlo(text, 'slo.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ code: SLO_INVALID, exitCode: 2 });
    return (error as Error).message;
  }
  throw new Error('expected the file to be refused');
}

describe('importOpenSlo', () => {
  it('maps bad/total to an events SLI, windowing plain counter selectors as sum(rate(x[{{.window}}]))', () => {
    const [spec] = importOpenSlo(
      sloDoc({ ratio: ['counter: true', `bad: ${metric('http_requests_total{service="checkout",code=~"5.."}')}`, `total: ${metric('http_requests_total{service="checkout"}')}`] }),
      'slo.yaml',
    );
    expect(spec).toEqual({
      service: 'checkout',
      labels: {},
      slos: [
        {
          name: 'availability',
          objective: 99.9,
          labels: {},
          sli: {
            kind: 'events',
            errorQuery: 'sum(rate(http_requests_total{service="checkout",code=~"5.."}[{{.window}}]))',
            totalQuery: 'sum(rate(http_requests_total{service="checkout"}[{{.window}}]))',
          },
          alerting: {
            name: 'CheckoutAvailabilitySLO',
            labels: {},
            annotations: {},
            pageAlert: { disable: false, labels: {}, annotations: {} },
            ticketAlert: { disable: false, labels: {}, annotations: {} },
          },
        },
      ],
    });
  });

  it('maps good/total to errors = total - good, keeping queries that already have {{.window}}', () => {
    const [spec] = importOpenSlo(
      sloDoc({
        ratio: [
          `good: ${metric('sum(rate(http_requests_total{code!~"5.."}[{{.window}}]))')}`,
          `total: ${metric('sum by (x) (rate(http_requests_total[{{.window}}]))')}`,
        ],
      }),
      'slo.yaml',
    );
    expect(spec?.slos[0]?.sli).toEqual({
      kind: 'events',
      errorQuery: '(sum by (x) (rate(http_requests_total[{{.window}}]))) - sum(rate(http_requests_total{code!~"5.."}[{{.window}}]))',
      totalQuery: 'sum by (x) (rate(http_requests_total[{{.window}}]))',
    });
    const [plain] = importOpenSlo(sloDoc({ ratio: [`good: ${metric('ok_total')}`, `total: ${metric('all_total')}`] }), 'slo.yaml');
    expect(plain?.slos[0]?.sli).toEqual({
      kind: 'events',
      errorQuery: 'sum(rate(all_total[{{.window}}])) - sum(rate(ok_total[{{.window}}]))',
      totalQuery: 'sum(rate(all_total[{{.window}}]))',
    });
  });

  it('maps raw ratios: failure as is, success as 1 - (raw)', () => {
    const failure = importOpenSlo(sloDoc({ ratio: ['rawType: failure', `raw: ${metric('avg(avg_over_time(err_ratio[{{.window}}]))')}`] }), 'slo.yaml');
    expect(failure[0]?.slos[0]?.sli).toEqual({ kind: 'raw', errorRatioQuery: 'avg(avg_over_time(err_ratio[{{.window}}]))' });
    const success = importOpenSlo(sloDoc({ ratio: ['rawType: success', `raw: ${metric('avg_over_time(up[{{.window}}])')}`] }), 'slo.yaml');
    expect(success[0]?.slos[0]?.sli).toEqual({ kind: 'raw', errorRatioQuery: '1 - (avg_over_time(up[{{.window}}]))' });
  });

  it('makes one SLO per objective, targetPercent as is, target in percent without float noise', () => {
    const [spec] = importOpenSlo(
      sloDoc({ objectives: '[{ target: 0.995 }, { targetPercent: 99.99 }]', ratio: [`bad: ${metric('e_total')}`, `total: ${metric('t_total')}`] }),
      'slo.yaml',
    );
    expect(spec?.slos.map((s) => [s.name, s.objective, s.alerting.name])).toEqual([
      ['availability-0', 99.5, 'CheckoutAvailability0SLO'],
      ['availability-1', 99.99, 'CheckoutAvailability1SLO'],
    ]);
  });

  it('reads several documents: SLIs by indicatorRef, other kinds skipped, SLOs grouped by service', () => {
    const text = [
      'apiVersion: openslo/v1',
      'kind: Service',
      'metadata: { name: checkout }',
      'spec: { description: Checkout }',
      '---',
      'apiVersion: openslo/v1',
      'kind: SLI',
      'metadata: { name: shared-errors }',
      'spec:',
      '  ratioMetric:',
      `    bad: ${metric('errors_total')}`,
      `    total: ${metric('requests_total')}`,
      '---',
      'apiVersion: openslo/v1',
      'kind: SLO',
      'metadata: { name: by-ref, labels: { team: pay } }',
      'spec:',
      '  service: checkout',
      '  indicatorRef: shared-errors',
      '  objectives: [{ target: 0.99 }]',
      '---',
      sloDoc({ name: 'search-availability', service: 'search', ratio: [`bad: ${metric('e_total')}`, `total: ${metric('t_total')}`] }),
      '---',
      sloDoc({ name: 'inline', ratio: [`bad: ${metric('e_total')}`, `total: ${metric('t_total')}`] }),
    ].join('\n');
    const specs = importOpenSlo(text, 'slo.yaml');
    expect(specs.map((s) => [s.service, s.slos.map((slo) => slo.name)])).toEqual([
      ['checkout', ['by-ref', 'inline']],
      ['search', ['search-availability']],
    ]);
    expect(specs[0]?.slos[0]).toMatchObject({ labels: { team: 'pay' }, sli: { kind: 'events', errorQuery: 'sum(rate(errors_total[{{.window}}]))' } });
  });

  it('refuses what the generated rules cannot honour, naming file, line and field', () => {
    const text = sloDoc({
      ratio: ['counter: true', `good: ${metric('sum(x_total)')}`, `total: ${metric('y_total')}`],
      objectives: '[{ target: 0.999 }]',
    })
      .replace('duration: 30d', 'duration: 28d')
      .replace('budgetingMethod: Occurrences', 'budgetingMethod: Timeslices');
    expect(problems(text).split('\n')).toEqual([
      'slo.yaml:6: spec.budgetingMethod: only the Occurrences budgeting method is supported, got "Timeslices"',
      'slo.yaml:7: spec.timeWindow[0].duration: only a 30d window is supported (the rules and burn-rate tiers are for 30 days), got "28d"',
    ]);
    const unwindowed = sloDoc({ ratio: [`good: ${metric('sum(x_total)')}`, `total: ${metric('y_total')}`] });
    expect(problems(unwindowed)).toBe(
      'slo.yaml:13: spec.indicator.spec.ratioMetric.good.metricSource.spec.query: a query without {{.window}} must be a plain counter selector such as http_requests_total{code=~"5.."}; otherwise write the range yourself, e.g. sum(rate(x[{{.window}}]))',
    );
    const gauge = sloDoc({ ratio: ['counter: false', `bad: ${metric('e')}`, `total: ${metric('t')}`] });
    expect(problems(gauge).split('\n')[0]).toBe(
      'slo.yaml:14: spec.indicator.spec.ratioMetric.bad.metricSource.spec.query: with counter: false the query must contain {{.window}} where the range goes (only counters are windowed automatically)',
    );
  });

  it('refuses threshold metrics, other sources, both good and bad, and objectives with op', () => {
    const text = sloDoc({
      objectives: '[{ target: 0.999, op: lte }]',
      ratio: [`good: ${metric('a')}`, `bad: ${metric('b')}`, `total: { metricSource: { type: Datadog, spec: { query: "c" } } }`],
    });
    expect(problems(text).split('\n')).toEqual([
      'slo.yaml:8: spec.objectives[0].op: op and value belong to thresholdMetric SLIs, which are not supported',
      'slo.yaml:14: spec.indicator.spec.ratioMetric.bad: only one of good or bad is allowed',
      'slo.yaml:15: spec.indicator.spec.ratioMetric.total.metricSource.type: only Prometheus metric sources are supported, got "Datadog"',
    ]);
    const threshold = ['apiVersion: openslo/v1', 'kind: SLI', 'metadata: { name: t }', 'spec:', '  thresholdMetric: { metricSource: { spec: { query: x } } }'].join('\n');
    expect(problems(threshold).split('\n')).toContain('slo.yaml:5: spec.thresholdMetric: thresholdMetric is not supported; use a ratioMetric');
  });

  it('refuses other API versions and kinds, a missing SLI reference, and a file without SLOs', () => {
    expect(problems(sloDoc({ ratio: [] }).replace('openslo/v1', 'openslo/v1alpha'))).toBe('slo.yaml:1: apiVersion: only openslo/v1 is supported, got "openslo/v1alpha"');
    expect(problems('apiVersion: openslo/v1\nkind: Slo\n')).toBe('slo.yaml:2: kind: expected one of SLO, SLI, Service, DataSource, AlertPolicy, AlertCondition, AlertNotificationTarget, got "Slo"');
    const byRef = ['apiVersion: openslo/v1', 'kind: SLO', 'metadata: { name: x1 }', 'spec:', '  service: checkout', '  indicatorRef: nope', '  objectives: [{ target: 0.9 }]'].join('\n');
    expect(problems(byRef)).toBe('slo.yaml:6: spec.indicatorRef: no SLI document named "nope" in this file');
    expect(problems('apiVersion: openslo/v1\nkind: Service\nmetadata: { name: s }\nspec: {}\n')).toBe('slo.yaml:1: no OpenSLO document of kind SLO found');
  });

  it('refuses two SLOs of one service with the same name', () => {
    const doc = sloDoc({ ratio: [`bad: ${metric('e_total')}`, `total: ${metric('t_total')}`] });
    expect(problems(`${doc}\n---\n${doc}`)).toBe('slo.yaml:18: metadata.name: another SLO of service "checkout" is already named "availability"');
  });
});

describe('parseLocatedYamlDocuments', () => {
  it('keeps the lines of the whole file in every document and drops empty ones', () => {
    const { documents, problems: found } = parseLocatedYamlDocuments('a: 1\n---\n---\nb:\n  c: [\n', 'f.yaml');
    expect(documents).toHaveLength(2);
    expect(found[0]?.text).toMatch(/^f\.yaml:6: invalid YAML: Flow sequence/);
  });
});
