import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { isSimianError } from '../../src/core/errors.js';
import { parseSloFile } from '../../src/slo/load-slo-file.js';
import { parseSubsetQuery } from '../../src/slo/promql-subset.js';
import { renderRuleTests, sloRuleTests, SLO_UNTESTABLE, type PromtoolTestFile } from '../../src/slo/rule-tests.js';
import type { SloSpec } from '../../src/slo/slo-spec.js';
import { renderRuleFile, sloRuleFile } from '../../src/slo/slo-rules.js';

const SLO_DIR = 'dashboards/slos';
const SHIPPED_SPEC = `${SLO_DIR}/reference-stack.yaml`;
const SHIPPED_RULES = 'dashboards/prometheus/rules/reference-stack.rules.yaml';
const SHIPPED_TESTS = 'dashboards/prometheus/rules/reference-stack.rules.test.yaml';

/** Runs promtool; a missing promtool fails the test with what to install, never skips it. */
function promtool(args: string[]): { status: number; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8', timeout: 60_000 });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? 'promtool is not on PATH: install it with `apt-get install prometheus` (Debian ships promtool in the prometheus package; .ci/run installs it)'
        : `promtool failed to run: ${result.error.message}`,
    );
  }
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

/** promtool takes a second or two; a loaded CI machine can take several times that. */
const PROMTOOL_TIMEOUT_MS = 60_000;

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'simian-slo-rules-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes the rules and tests of `specs` into a fresh folder; returns their paths. */
function writeGenerated(specs: readonly SloSpec[], rulesText?: string): { rules: string; tests: string; file: PromtoolTestFile } {
  const dir = tempDir();
  const rules = join(dir, 'slos.rules.yaml');
  const tests = join(dir, 'slos.rules.test.yaml');
  const file = sloRuleTests(specs, { rulesFile: 'slos.rules.yaml' });
  writeFileSync(rules, rulesText ?? renderRuleFile(sloRuleFile(specs)));
  writeFileSync(tests, renderRuleTests(file));
  return { rules, tests, file };
}

describe('the shipped SLO rules', () => {
  it('are up to date with the generator (regenerate: simian slo rules … --out … --tests …)', () => {
    const specs = parseSloFile(readFileSync(SHIPPED_SPEC, 'utf8'), SHIPPED_SPEC);
    expect(readFileSync(SHIPPED_RULES, 'utf8')).toBe(renderRuleFile(sloRuleFile(specs), { source: SHIPPED_SPEC }));
    expect(readFileSync(SHIPPED_TESTS, 'utf8')).toBe(
      renderRuleTests(sloRuleTests(specs, { rulesFile: 'reference-stack.rules.yaml' }), { source: SHIPPED_SPEC }),
    );
  });

  it('pass promtool check rules', () => {
    const { status, output } = promtool(['check', 'rules', SHIPPED_RULES]);
    expect(output).toContain('SUCCESS: 68 rules found');
    expect(status).toBe(0);
  }, PROMTOOL_TIMEOUT_MS);

  it('pass promtool test rules: each SLO pages at 20x, raises only a ticket at 2x, and is quiet at 0.5x', () => {
    const { status, output } = promtool(['test', 'rules', SHIPPED_TESTS]);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
    const tests = parse(readFileSync(SHIPPED_TESTS, 'utf8')) as PromtoolTestFile;
    const names = tests.tests.map((t) => t.name);
    for (const slo of ['gateway-availability', 'home-latency', 'play-start-success', 'billing-write-availability']) {
      expect(names).toContain(`reference-stack-${slo}: errors at 20x the error budget: page and ticket fire`);
      expect(names).toContain(`reference-stack-${slo}: errors at 2x the error budget: ticket fires, no page`);
      expect(names).toContain(`reference-stack-${slo}: errors at 0.5x the error budget: no alert fires`);
    }
  }, PROMTOOL_TIMEOUT_MS);

  it('keep every SLI query inside the PromQL subset that direct scrapes can evaluate (promql-subset.ts)', () => {
    const specs = parseSloFile(readFileSync(SHIPPED_SPEC, 'utf8'), SHIPPED_SPEC);
    for (const { sli } of specs.flatMap((s) => s.slos)) {
      expect(sli.kind).toBe('events');
      if (sli.kind !== 'events') continue;
      const { errorQuery, totalQuery } = sli;
      expect(() => parseSubsetQuery(errorQuery)).not.toThrow();
      expect(() => parseSubsetQuery(totalQuery)).not.toThrow();
    }
    // Which also means their tests are driven by series made from the queries, not by recorded ratios.
    const tests = parse(readFileSync(SHIPPED_TESTS, 'utf8')) as PromtoolTestFile;
    expect(tests.tests.every((t) => t.input_series.every((i) => !i.series.startsWith('slo:')))).toBe(true);
  });

  it.each(readdirSync(SLO_DIR).filter((f) => f.endsWith('.yaml')))('%s: its generated rules and tests pass promtool', (name) => {
    const specs = parseSloFile(readFileSync(join(SLO_DIR, name), 'utf8'), name);
    const { rules, tests } = writeGenerated(specs);
    expect(promtool(['check', 'rules', rules]).status).toBe(0);
    const result = promtool(['test', 'rules', tests]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  }, PROMTOOL_TIMEOUT_MS);
});

describe('negative controls: promtool catches broken rules', () => {
  const specs = parseSloFile(readFileSync(SHIPPED_SPEC, 'utf8'), SHIPPED_SPEC);
  const rulesText = renderRuleFile(sloRuleFile(specs));

  it('check rules fails on an expression that does not parse', () => {
    const { rules } = writeGenerated(specs, rulesText.replace('expr: vector(1)', 'expr: vector(1'));
    const { status, output } = promtool(['check', 'rules', rules]);
    expect(status).not.toBe(0);
    expect(output).toMatch(/parse error/);
  }, PROMTOOL_TIMEOUT_MS);

  it('test rules fails when the page threshold is wrong (1440x instead of 14.4x, 600x instead of 6x)', () => {
    const { tests } = writeGenerated(specs, rulesText.replaceAll('(14.4 * ', '(1440 * ').replaceAll('(6 * ', '(600 * '));
    const { status, output } = promtool(['test', 'rules', tests]);
    expect(status).not.toBe(0);
    expect(output).toContain('FAILED');
    expect(output).toContain('sloth_severity="page"');
  }, PROMTOOL_TIMEOUT_MS);

  it('test rules fails when an SLI query counts the wrong errors', () => {
    const { tests } = writeGenerated(specs, rulesText.replaceAll('code=~"5.."', 'code=~"4.."'));
    const { status, output } = promtool(['test', 'rules', tests]);
    expect(status).not.toBe(0);
    expect(output).toContain('FAILED');
  }, PROMTOOL_TIMEOUT_MS);
});

const OTHER_SHAPES = `
version: prometheus/v1
service: shapes
labels: { team: core }
slos:
  - name: regex-and-not-equal
    objective: 99.95
    labels: { tier: "1" }
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="api",route!="/health",code=~"5..|429"}[{{.window}}]))
        total_query: sum(rate(http_requests_total{job="api",route!="/health"}[{{.window}}]))
    alerting:
      name: ShapesErrors
      annotations: { runbook: "https://runbooks/{{ $labels.sloth_slo }}" }
      page_alert: { labels: { severity: critical }, annotations: { summary: "page {{$labels.sloth_service}}" } }
      ticket_alert: { disable: true }
  - name: separate-metrics
    objective: 95
    sli:
      events:
        error_query: sum(rate(jobs_failed_total{queue="mail"}[{{.window}}]))
        total_query: sum(rate(jobs_total{queue="mail"}[{{.window}}]))
    alerting:
      name: ShapesErrors
  - name: raw-ratio
    objective: 99
    sli:
      raw:
        error_ratio_query: 1 - avg(avg_over_time(probe_success{job="blackbox"}[{{.window}}]))
    alerting:
      name: ShapesProbe
  - name: good-minus
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(reqs_total{svc="x"}[{{.window}}])) - sum(rate(reqs_total{svc="x",code="200"}[{{.window}}]))
        total_query: sum(rate(reqs_total{svc="x"}[{{.window}}]))
    alerting:
      page_alert: { disable: true }
      ticket_alert: { disable: true }
`;

const OPENSLO = `
apiVersion: openslo/v1
kind: SLO
metadata: { name: checkout-availability }
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 30d, isRolling: true }]
  objectives: [{ target: 0.999 }]
  indicator:
    metadata: { name: checkout-good }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: Prometheus, spec: { query: 'http_requests_total{service="checkout",code!~"5.."}' } } }
        total: { metricSource: { type: Prometheus, spec: { query: 'http_requests_total{service="checkout"}' } } }
`;

describe('generated tests for other SLI shapes pass promtool', () => {
  it('regex and != matchers, separate error and total metrics, raw SLIs, subtractions, shared alert names, disabled alerts', () => {
    const specs = parseSloFile(OTHER_SHAPES, 'shapes.yaml');
    const { rules, tests, file } = writeGenerated(specs);
    expect(promtool(['check', 'rules', rules]).status).toBe(0);
    const result = promtool(['test', 'rules', tests]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);

    const names = file.tests.map((t) => t.name);
    // 95%: 20x the budget is more than every request, so the burning case is a total outage (20 ⇒ 1/0.05 = 20x).
    expect(names).toContain('shapes-separate-metrics: errors at 20x the error budget: page and ticket fire');
    expect(names.filter((n) => n.startsWith('shapes-raw-ratio:')).every((n) => n.includes('the recorded error ratios are the input'))).toBe(true);
    expect(names).toContain('shapes-good-minus: errors at 20x the error budget: recorded (no alert enabled)');
    // An alert name shared by two SLOs is asserted through ALERTS{sloth_id=…}, not alert_rule_test.
    const shared = file.tests.find((t) => t.name.startsWith('shapes-regex-and-not-equal: errors at 20x'));
    expect(shared?.alert_rule_test).toBeUndefined();
    expect(shared?.promql_expr_test?.some((t) => t.expr.startsWith('ALERTS{alertname="ShapesErrors", sloth_id="shapes-regex-and-not-equal"}'))).toBe(true);
  }, PROMTOOL_TIMEOUT_MS);

  it('an OpenSLO good/total SLO, imported as total - good', () => {
    const specs = parseSloFile(OPENSLO, 'checkout.openslo.yaml');
    const { rules, tests } = writeGenerated(specs);
    expect(promtool(['check', 'rules', rules]).status).toBe(0);
    const result = promtool(['test', 'rules', tests]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  }, PROMTOOL_TIMEOUT_MS);

  it('the burning test expects the alerts with their labels and expanded annotations', () => {
    const [spec] = parseSloFile(OPENSLO, 'checkout.openslo.yaml');
    const file = sloRuleTests([spec!], { rulesFile: 'r.yaml' });
    const burning = file.tests[0]!;
    expect(burning.input_series).toEqual([
      { series: 'http_requests_total{code="200", service="checkout"}', values: '0+980000x10' },
      { series: 'http_requests_total{code="500", service="checkout"}', values: '0+20000x10' },
    ]);
    expect(burning.alert_rule_test?.[0]?.exp_alerts[0]).toEqual({
      exp_labels: {
        sloth_id: 'checkout-checkout-availability',
        sloth_service: 'checkout',
        sloth_severity: 'page',
        sloth_slo: 'checkout-availability',
      },
      exp_annotations: {
        summary: 'checkout checkout-availability SLO error budget burn rate is over expected.',
        title: '(page) checkout checkout-availability SLO error budget burn rate is too fast.',
      },
    });
    expect(file.tests[2]?.alert_rule_test?.[0]?.exp_alerts).toEqual([]);
  });
});

describe('sloRuleTests', () => {
  it('refuses an annotation template it cannot predict, naming the SLO', () => {
    const [spec] = parseSloFile(OPENSLO, 'checkout.openslo.yaml');
    const slo = spec!.slos[0]!;
    const withValue: SloSpec = { ...spec!, slos: [{ ...slo, alerting: { ...slo.alerting, annotations: { value: '{{ $value | humanize }}' } } }] };
    let error: unknown;
    try {
      sloRuleTests([withValue], { rulesFile: 'r.yaml' });
    } catch (e) {
      error = e;
    }
    expect(isSimianError(error, SLO_UNTESTABLE)).toBe(true);
    expect((error as Error).message).toContain('checkout-checkout-availability');
  });
});
