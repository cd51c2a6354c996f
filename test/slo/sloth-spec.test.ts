import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { errorBudget, withWindow } from '../../src/slo/slo-spec.js';
import { parseSlothSpec, SLO_INVALID, sliQueryProblem } from '../../src/slo/sloth-spec.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;

const VALID = lines(
  'version: "prometheus/v1"',
  'service: checkout',
  'labels:',
  '  owner: payments',
  '  tier: 2',
  'slos:',
  '  - name: requests-availability',
  '    objective: 99.9',
  '    description: Non-5xx answers.',
  '    labels: { team: pay }',
  '    sli:',
  '      events:',
  '        error_query: sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))',
  '        total_query: sum(rate(http_requests_total{job="checkout"}[{{ .window }}]))',
  '    alerting:',
  '      name: CheckoutAvailability',
  '      labels: { category: availability }',
  '      annotations: { runbook: "https://runbooks/checkout" }',
  '      page_alert:',
  '        labels: { severity: critical }',
  '      ticket_alert:',
  '        disable: true',
  '  - name: probe',
  '    objective: 99',
  '    sli:',
  '      raw:',
  '        error_ratio_query: 1 - avg(avg_over_time(probe_success[{{.window}}]))',
  '    alerting:',
  '      page_alert: { disable: true }',
  '      ticket_alert: { disable: true }',
);

/** The message of the error `parseSlothSpec` throws for `text`, checking it is a `slo.invalid` input error. */
function problems(text: string): string {
  try {
    parseSlothSpec(text, 'slos.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ code: SLO_INVALID, exitCode: 2 });
    return (error as Error).message;
  }
  throw new Error('expected the spec to be refused');
}

describe('parseSlothSpec', () => {
  it('reads a sloth prometheus/v1 file into the SLO model', () => {
    const spec = parseSlothSpec(VALID, 'slos.yaml');
    expect(spec.service).toBe('checkout');
    expect(spec.labels).toEqual({ owner: 'payments', tier: '2' });
    expect(spec.slos).toEqual([
      {
        name: 'requests-availability',
        objective: 99.9,
        description: 'Non-5xx answers.',
        labels: { team: 'pay' },
        sli: {
          kind: 'events',
          errorQuery: 'sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))',
          totalQuery: 'sum(rate(http_requests_total{job="checkout"}[{{ .window }}]))',
        },
        alerting: {
          name: 'CheckoutAvailability',
          labels: { category: 'availability' },
          annotations: { runbook: 'https://runbooks/checkout' },
          pageAlert: { disable: false, labels: { severity: 'critical' }, annotations: {} },
          ticketAlert: { disable: true, labels: {}, annotations: {} },
        },
      },
      {
        name: 'probe',
        objective: 99,
        labels: {},
        sli: { kind: 'raw', errorRatioQuery: '1 - avg(avg_over_time(probe_success[{{.window}}]))' },
        alerting: {
          labels: {},
          annotations: {},
          pageAlert: { disable: true, labels: {}, annotations: {} },
          ticketAlert: { disable: true, labels: {}, annotations: {} },
        },
      },
    ]);
    expect(errorBudget(spec.slos[1]!)).toBeCloseTo(0.01, 12);
    expect(withWindow(spec.slos[0]!.sli.kind === 'events' ? spec.slos[0]!.sli.totalQuery : '', '37s')).toBe(
      'sum(rate(http_requests_total{job="checkout"}[37s]))',
    );
  });

  it('reports every problem at once, one line each, as file:line: dotted.field: message, sorted by line', () => {
    const message = problems(
      lines(
        'version: prometheus/v1',
        'service: checkout',
        'slos:',
        '  - name: availability',
        '    objective: 100',
        '    sli:',
        '      events:',
        '        error_query: sum(rate(errors_total[5m]))',
        '        total_query: sum(rate(requests_total[{{.window}}]))',
        '    alerting:',
        '      name: A',
        '      tickt_alert: {}',
      ),
    );
    expect(message.split('\n')).toEqual([
      'slos.yaml:5: slos[0].objective: expected a percentage in (0, 100) such as 99.9, got 100',
      'slos.yaml:8: slos[0].sli.events.error_query: must contain {{.window}} where the range goes, e.g. rate(x[{{.window}}])',
      'slos.yaml:12: slos[0].alerting.tickt_alert: unknown field "tickt_alert"; expected one of name, labels, annotations, page_alert, ticket_alert',
    ]);
  });

  it.each([
    ['an objective of 0', '    objective: 0', 'slos.yaml:5: slos[0].objective: expected a percentage in (0, 100) such as 99.9, got 0'],
    ['an objective as text', '    objective: "99.9"', 'slos.yaml:5: slos[0].objective: expected a percentage in (0, 100) such as 99.9, got "99.9"'],
    ['a missing objective', '    description: none', 'slos.yaml:4: slos[0].objective: expected a percentage in (0, 100) such as 99.9, got nothing'],
  ])('refuses %s', (_what, objectiveLine, expected) => {
    const text = lines(
      'version: prometheus/v1',
      'service: checkout',
      'slos:',
      '  - name: availability',
      objectiveLine,
      '    sli: { raw: { error_ratio_query: "x[{{.window}}]" } }',
      '    alerting: { name: A }',
    );
    expect(problems(text)).toBe(expected);
  });

  it('refuses a wrong version, a bad service name, no SLOs and unknown top-level keys', () => {
    expect(problems(lines('version: prometheus/v2', 'service: -bad', 'slos: []', 'slo_plugins: { chain: [] }')).split('\n')).toEqual([
      'slos.yaml:1: version: expected "prometheus/v1", got "prometheus/v2"',
      'slos.yaml:2: service: must start and end with a letter or digit and contain only letters, digits, ".", "_" and "-", got "-bad"',
      'slos.yaml:3: slos: expected at least one SLO',
      'slos.yaml:4: slo_plugins: sloth plugins ("slo_plugins") are not supported; write the SLI as sli.events or sli.raw',
    ]);
  });

  it('requires an alert name unless both alerts are disabled, pointing at the alerting block', () => {
    const text = lines(
      'version: prometheus/v1',
      'service: checkout',
      'slos:',
      '  - name: availability',
      '    objective: 99',
      '    sli: { raw: { error_ratio_query: "x[{{.window}}]" } }',
      '    alerting:',
      '      ticket_alert: { disable: true }',
    );
    expect(problems(text)).toBe('slos.yaml:7: slos[0].alerting.name: an alert name is required unless both page_alert and ticket_alert are disabled');
  });

  it('refuses an SLI with both kinds, neither, equal queries, other templates, plugins and alert `for`', () => {
    const text = lines(
      'version: prometheus/v1',
      'service: checkout',
      'slos:',
      '  - name: both',
      '    objective: 99',
      '    sli:',
      '      events: { error_query: "a[{{.window}}]", total_query: "b[{{.window}}]" }',
      '      raw: { error_ratio_query: "c[{{.window}}] {{ .service }}" }',
      '    alerting: { name: A, page_alert: { for: 5m } }',
      '  - name: none',
      '    objective: 99',
      '    sli: {}',
      '    alerting: { name: A }',
      '  - name: same',
      '    objective: 99',
      '    sli: { events: { error_query: "a[{{.window}}]", total_query: "a[{{.window}}]" } }',
      '    alerting: { name: A }',
      '  - name: plugin',
      '    objective: 99',
      '    sli: { plugin: { id: x } }',
      '    alerting: { name: A }',
    );
    expect(problems(text).split('\n')).toEqual([
      'slos.yaml:8: slos[0].sli.raw.error_ratio_query: only {{.window}} is substituted; remove the other {{ … }} template actions',
      'slos.yaml:8: slos[0].sli.raw: only one of events or raw is allowed',
      'slos.yaml:9: slos[0].alerting.page_alert.for: unknown field "for": sloth\'s prometheus/v1 alerts have no "for" (the multiwindow condition replaces it)',
      'slos.yaml:12: slos[1].sli: expected one of events (error_query, total_query) or raw (error_ratio_query)',
      'slos.yaml:16: slos[2].sli.events.error_query: error_query and total_query must differ',
      'slos.yaml:20: slos[3].sli.plugin: sloth plugins ("plugin") are not supported; write the SLI as sli.events or sli.raw',
      'slos.yaml:20: slos[3].sli: expected one of events (error_query, total_query) or raw (error_ratio_query)',
    ]);
  });

  it('refuses duplicate SLO names, bad label names and labels that would overwrite sloth_* ones', () => {
    const text = lines(
      'version: prometheus/v1',
      'service: checkout',
      'labels: { "9lives": x, sloth_slo: y, empty: "" }',
      'slos:',
      '  - name: availability',
      '    objective: 99',
      '    sli: { raw: { error_ratio_query: "x[{{.window}}]" } }',
      '    alerting: { name: A, page_alert: { labels: { sloth_severity: x } } }',
      '  - name: availability',
      '    objective: 99',
      '    sli: { raw: { error_ratio_query: "x[{{.window}}]" } }',
      '    alerting: { name: A }',
    );
    expect(problems(text).split('\n')).toEqual([
      'slos.yaml:3: labels.9lives: not a valid label name (letters, digits and "_", not starting with a digit or "__")',
      'slos.yaml:3: labels.sloth_slo: "sloth_slo" is set by the generated rules and cannot be overridden',
      'slos.yaml:3: labels.empty: expected a non-empty label value',
      'slos.yaml:8: slos[0].alerting.page_alert.labels.sloth_severity: "sloth_severity" is set by the generated rules and cannot be overridden',
    ]);
    const duplicate = text.replace('labels: { "9lives": x, sloth_slo: y, empty: "" }', 'labels: {}').replace('page_alert: { labels: { sloth_severity: x } } ', '');
    expect(problems(duplicate)).toBe('slos.yaml:9: slos[1].name: another SLO of this service is already named "availability"');
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(problems(lines('version: prometheus/v1', 'service: a', 'service: b'))).toBe('slos.yaml:3: invalid YAML: Map keys must be unique');
    expect(problems(lines('version: prometheus/v1', 'slos: [')).startsWith('slos.yaml:')).toBe(true);
  });

  it('refuses an empty document', () => {
    expect(problems('# nothing\n')).toBe('slos.yaml:1: expected a sloth spec (version: prometheus/v1, service, slos), got an empty document');
  });
});

describe('sliQueryProblem', () => {
  it.each([
    ['sum(rate(x[{{.window}}]))', undefined],
    ['sum(rate(x[{{ .window }}]))', undefined],
    ['sum(rate(x[5m]))', 'must contain {{.window}} where the range goes, e.g. rate(x[{{.window}}])'],
    ['  ', 'expected a PromQL query, got an empty string'],
    ['x[{{.window}}] and {{.other}}', 'only {{.window}} is substituted; remove the other {{ … }} template actions'],
  ])('%s → %s', (query, expected) => {
    expect(sliQueryProblem(query)).toBe(expected);
  });
});
