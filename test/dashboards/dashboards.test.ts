/**
 * The shipped Grafana dashboards and Prometheus configuration, checked without Grafana: structure, every query
 * parsed by `promtool check rules`, every selected metric exported by the code, and `promtool check config`.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  dashboardQueries,
  GLOBAL_VARIABLE_STAND_INS,
  loadDashboard,
  referencedVariables,
  selectors,
  substituteVariables,
  walkPanels,
  type GrafanaDashboard,
  type GrafanaPanel,
} from '../../src/dashboards/dashboard-queries.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const grafanaDir = join(repoRoot, 'dashboards', 'grafana');
const prometheusDir = join(repoRoot, 'dashboards', 'prometheus');
const DASHBOARD_FILES = ['reference-stack-red.json', 'slos.json', 'resilience.json', 'chaos.json'];
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const PANEL_TYPES = new Set(['timeseries', 'stat', 'gauge', 'table', 'row']);

const scratch = mkdtempSync(join(tmpdir(), 'simian-dashboards-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs promtool; a missing promtool fails the test with what to install. */
function promtool(args: string[], cwd = scratch): SpawnSyncReturns<string> {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('promtool is not on PATH: install Prometheus (`apt-get install prometheus` on Debian/Ubuntu) to check dashboards');
  }
  if (result.error) throw result.error;
  return result;
}

/** Writes `exprs` as recording rules `dashboard:panel_<n>` and runs `promtool check rules` on them. */
function checkRules(name: string, exprs: ReadonlyArray<{ expr: string; origin: string }>): SpawnSyncReturns<string> {
  const file = join(scratch, `${name}.rules.yaml`);
  const rules = exprs.map(({ expr, origin }, i) => ({ record: `dashboard:panel_${i + 1}`, expr, labels: { dashboard_query: origin } }));
  writeFileSync(file, stringify({ groups: [{ name, rules }] }));
  return promtool(['check', 'rules', file]);
}

const dashboards = DASHBOARD_FILES.map((file) => ({ file, dashboard: loadDashboard(join(grafanaDir, file)) }));

function originOf(query: { kind: string; title: string; refId?: string }): string {
  return `${query.kind} "${query.title}"${query.refId ? ` ${query.refId}` : ''}`;
}

/** Every `datasource` object anywhere in the model. */
function datasources(value: unknown, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const item of value) datasources(item, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'datasource') found.push(inner);
      else datasources(inner, found);
    }
  }
  return found;
}

function overlaps(panels: readonly GrafanaPanel[]): string[] {
  const clashes: string[] = [];
  panels.forEach((a, i) => {
    for (const b of panels.slice(i + 1)) {
      const [p, q] = [a.gridPos!, b.gridPos!];
      if (p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h) clashes.push(`${a.title} / ${b.title}`);
    }
  });
  return clashes;
}

describe.each(dashboards)('$file', ({ file, dashboard }) => {
  it('has the dashboard fields Grafana needs, and a Prometheus datasource variable', () => {
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(typeof dashboard.title).toBe('string');
    expect(dashboard.title!.length).toBeGreaterThan(0);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.panels.length).toBeGreaterThan(0);
    expect(dashboard.templating?.list?.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
  });

  it('gives every panel a type, title, grid position and the ${datasource} datasource, with unique ids', () => {
    const panels = walkPanels(dashboard.panels);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      const where = `${file} panel ${panel.id} "${panel.title}"`;
      expect(Number.isInteger(panel.id), where).toBe(true);
      expect(PANEL_TYPES.has(panel.type ?? ''), `${where}: type ${panel.type}`).toBe(true);
      expect(panel.title, where).toBeTruthy();
      const { h, w, x, y } = panel.gridPos ?? { h: NaN, w: NaN, x: NaN, y: NaN };
      expect([h, w, x, y].every(Number.isInteger) && h > 0 && w > 0 && x >= 0 && y >= 0 && x + w <= 24, `${where}: gridPos`).toBe(true);
      if (panel.type === 'row') {
        expect(panel.panels, where).toBeDefined();
        continue;
      }
      expect(panel.datasource, where).toEqual(DATASOURCE);
      expect(panel.targets?.length, `${where}: targets`).toBeGreaterThan(0);
      const refIds = panel.targets!.map((t) => t.refId);
      expect(new Set(refIds).size, `${where}: refIds`).toBe(refIds.length);
      for (const target of panel.targets!) {
        expect(target.datasource, `${where} ${target.refId}`).toEqual(DATASOURCE);
        expect(target.expr?.trim(), `${where} ${target.refId}`).toBeTruthy();
      }
    }
  });

  it('lays panels out without overlaps', () => {
    expect(overlaps(dashboard.panels)).toEqual([]);
    for (const row of dashboard.panels.filter((p) => p.type === 'row')) expect(overlaps(row.panels ?? [])).toEqual([]);
  });

  it('hard-codes no datasource uid and no build-machine path', () => {
    for (const ds of datasources(dashboard)) expect(ds).toEqual(DATASOURCE);
    const text = readFileSync(join(grafanaDir, file), 'utf8');
    expect(text).not.toMatch(/\/(work|home|tmp|root|Users)\/|[A-Za-z]:\\\\/);
  });

  it('uses only template variables it defines', () => {
    const defined = new Set([...(dashboard.templating?.list ?? []).map((v) => v.name), ...Object.keys(GLOBAL_VARIABLE_STAND_INS)]);
    for (const query of dashboardQueries(dashboard)) {
      for (const name of referencedVariables(query.expr)) expect(defined.has(name), `${originOf(query)} uses $${name}`).toBe(true);
    }
  });

  it('has queries that all parse (promtool check rules)', () => {
    const exprs = dashboardQueries(dashboard).map((query) => ({ expr: substituteVariables(query.expr), origin: originOf(query) }));
    for (const { expr, origin } of exprs) expect(referencedVariables(expr), origin).toEqual([]);
    const result = checkRules(dashboard.uid!, exprs);
    const listing = exprs.map(({ origin }, i) => `dashboard:panel_${i + 1} = ${origin}`).join('\n');
    expect(result.status, `${result.stdout}${result.stderr}\n${listing}`).toBe(0);
    expect(result.stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
  });
});

describe('all dashboards', () => {
  it('have distinct uids and titles', () => {
    expect(new Set(dashboards.map((d) => d.dashboard.uid)).size).toBe(dashboards.length);
    expect(new Set(dashboards.map((d) => d.dashboard.title)).size).toBe(dashboards.length);
  });

  it('are every JSON file in dashboards/grafana', () => {
    expect(readdirSync(grafanaDir).filter((f) => f.endsWith('.json')).sort()).toEqual([...DASHBOARD_FILES].sort());
  });
});

describe('the promtool parse check', () => {
  it('fails on a broken expression (negative control)', () => {
    const result = checkRules('broken', [
      { expr: substituteVariables('sum(rate(http_requests_total{service=~"$service"}[$__rate_interval])'), origin: 'unclosed' },
    ]);
    expect(result.status).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toMatch(/parse error/);
  });

  it('fails on a range vector where an instant vector belongs (the pyrra dashboard bug)', () => {
    const result = checkRules('mistyped', [{ expr: substituteVariables('sum(http_requests_total[$__rate_interval])'), origin: 'range in sum' }]);
    expect(result.status).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toMatch(/expected type instant vector/);
  });
});

// ---------------------------------------------------------------- metrics the code exports

interface MetricDefinition {
  readonly histogram: boolean;
  readonly labels: readonly string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * The metric families defined in src: every `name: '…'` whose object literal also has a `help:` (prom-client's
 * Counter/Gauge/Histogram options, the resilience ScrapeMetric definitions), with its `labelNames` and whether it
 * is a histogram (`new Histogram(`, `type: 'histogram'` or `buckets:`).
 */
function exportedMetrics(): Map<string, MetricDefinition> {
  const metrics = new Map<string, MetricDefinition>();
  for (const file of sourceFiles(join(repoRoot, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\bname:\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)'/g)) {
      const rest = text.slice(match.index + match[0].length);
      const next = rest.search(/\bname:\s*'/);
      const body = rest.slice(0, Math.min(next < 0 ? rest.length : next, 1_000));
      if (!/\bhelp:/.test(body)) continue;
      const before = text.slice(Math.max(0, match.index - 40), match.index);
      const labelList = /labelNames:\s*\[([^\]]*)\]/.exec(body)?.[1] ?? '';
      metrics.set(match[1]!, {
        histogram: /new Histogram\s*\(\s*\{\s*$/.test(before) || /type:\s*'histogram'|\bbuckets:/.test(body),
        labels: [...labelList.matchAll(/'([^']+)'/g)].map((m) => m[1]!),
      });
    }
  }
  return metrics;
}

/** Labels Prometheus adds to every scraped series (target labels of dashboards/prometheus/prometheus.yml). */
const TARGET_LABELS = ['job', 'instance', 'service', 'region', 'zone'];
/** Series Prometheus itself writes, with their labels. */
const PROMETHEUS_SERIES: Readonly<Record<string, readonly string[]>> = {
  up: TARGET_LABELS,
  ALERTS: ['alertname', 'alertstate', 'severity'],
};

/** Why `metric{labels}` is not something the code exports, or undefined when it is. */
function unknownSelection(metric: string | undefined, labels: readonly string[], exported: Map<string, MetricDefinition>): string | undefined {
  if (metric === undefined) return 'a selector without a metric name';
  const isSloth = metric.startsWith('slo:') || metric.startsWith('sloth_');
  const base = metric.replace(/_(bucket|sum|count)$/, '');
  const definition = exported.get(metric) ?? (exported.get(base)?.histogram ? exported.get(base) : undefined);
  let allowed: readonly string[];
  if (isSloth) allowed = [];
  else if (PROMETHEUS_SERIES[metric]) allowed = PROMETHEUS_SERIES[metric]!;
  else if (definition) allowed = [...definition.labels, ...TARGET_LABELS, ...(metric.endsWith('_bucket') ? ['le'] : [])];
  else return `metric ${metric}, which nothing in src exports`;
  const stray = labels.filter((l) => !allowed.includes(l) && !l.startsWith('sloth_') && !(isSloth && l === '__name__'));
  return stray.length > 0 ? `label(s) ${stray.join(', ')} on ${metric}, which it does not carry` : undefined;
}

describe('metrics the dashboards query', () => {
  const exported = exportedMetrics();

  it('are found in src (the scan of metric definitions works)', () => {
    expect(exported.get('http_requests_total')).toEqual({ histogram: false, labels: ['service', 'route', 'method', 'code'] });
    expect(exported.get('http_request_duration_seconds')).toEqual({ histogram: true, labels: ['service', 'route', 'method'] });
    expect(exported.get('resilience_call_duration_seconds')).toEqual({ histogram: true, labels: ['policy', 'name'] });
    expect(exported.get('resilience_circuit_state')?.labels).toEqual(['name', 'state']);
    expect(exported.get('simian_faults_total')?.labels).toEqual(['monkey', 'provider', 'outcome']);
    expect(exported.get('toxiproxy_proxy_active_toxics')?.labels).toEqual(['proxy', 'direction']);
    expect(exported.has('catalog')).toBe(false);
  });

  it.each(dashboards)('in $file are all exported by the code, with the labels they carry', ({ dashboard }: { dashboard: GrafanaDashboard }) => {
    const problems: string[] = [];
    for (const query of dashboardQueries(dashboard)) {
      for (const { metric, labels } of selectors(substituteVariables(query.expr))) {
        const problem = unknownSelection(metric, labels, exported);
        if (problem) problems.push(`${originOf(query)}: ${problem}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('catches a metric or a label nobody exports (negative control)', () => {
    expect(unknownSelection('http_requests_totl', [], exported)).toMatch(/nothing in src exports/);
    expect(unknownSelection('http_requests_total', ['status'], exported)).toMatch(/label\(s\) status/);
    expect(unknownSelection('billing_writes_total_bucket', [], exported)).toMatch(/nothing in src exports/);
    expect(unknownSelection('http_request_duration_seconds_bucket', ['le', 'region'], exported)).toBeUndefined();
    expect(unknownSelection('slo:sli_error:ratio_rate5m', ['sloth_service'], exported)).toBeUndefined();
  });
});

// ---------------------------------------------------------------- Prometheus configuration

describe('dashboards/prometheus', () => {
  const configPath = join(prometheusDir, 'prometheus.yml');
  const example = JSON.parse(readFileSync(join(prometheusDir, 'targets', 'example.json'), 'utf8')) as Array<{
    targets: string[];
    labels: Record<string, string>;
  }>;

  it('passes promtool check config where it is', () => {
    const result = promtool(['check', 'config', configPath]);
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('SUCCESS');
  });

  it('scrapes every 5 s from file_sd targets next to it and loads rules/*.rules.yaml', () => {
    const config = parse(readFileSync(configPath, 'utf8')) as {
      global: { scrape_interval: string };
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; file_sd_configs?: Array<{ files: string[] }> }>;
    };
    expect(config.global.scrape_interval).toBe('5s');
    expect(config.rule_files).toEqual(['rules/*.rules.yaml']);
    const stack = config.scrape_configs.find((job) => job.job_name === 'reference-stack');
    expect(stack?.file_sd_configs?.[0]?.files).toEqual(['targets/reference-stack.json']);
  });

  it('has an example targets file in file_sd format with loopback addresses only', () => {
    expect(example.length).toBeGreaterThan(0);
    for (const group of example) {
      expect(Object.keys(group.labels).filter((k) => k !== 'instance').sort()).toEqual(['region', 'service', 'zone']);
      for (const target of group.targets) expect(target).toMatch(/^(127\.\d+\.\d+\.\d+|\[::1\]|localhost):\d+$/);
    }
  });

  it('with the example as its targets, validates them and keeps service, region and zone through relabelling', () => {
    const dir = mkdtempSync(join(scratch, 'prometheus-'));
    cpSync(configPath, join(dir, 'prometheus.yml'));
    if (existsSync(join(prometheusDir, 'rules'))) cpSync(join(prometheusDir, 'rules'), join(dir, 'rules'), { recursive: true });
    mkdirSync(join(dir, 'targets'));
    cpSync(join(prometheusDir, 'targets', 'example.json'), join(dir, 'targets', 'toxiproxy.json'));
    cpSync(join(prometheusDir, 'targets', 'example.json'), join(dir, 'targets', 'simian.json'));
    // The example plus a group with a stray label and one that does not say its zone.
    const groups: Array<{ targets: string[]; labels: Record<string, string> }> = [
      ...example,
      { targets: ['127.0.0.1:19190'], labels: { service: 'user', region: 'us-west', zone: 'us-west-2a', team: 'video' } },
      { targets: ['127.0.0.1:19191'], labels: { service: 'origin', region: 'us-west' } },
    ];
    writeFileSync(join(dir, 'targets', 'reference-stack.json'), JSON.stringify(groups));

    const checked = promtool(['check', 'config', 'prometheus.yml'], dir);
    expect(checked.status, `${checked.stdout}${checked.stderr}`).toBe(0);
    expect(`${checked.stdout}${checked.stderr}`).not.toContain('WARNING');

    const discovered = promtool(['check', 'service-discovery', '--timeout=2s', 'prometheus.yml', 'reference-stack'], dir);
    expect(discovered.status, discovered.stderr).toBe(0);
    const targets = (JSON.parse(discovered.stdout) as Array<{ labels: Record<string, string> }>)
      .map((t) => t.labels)
      .filter((labels) => Object.keys(labels).length > 0);
    const visible = (labels: Record<string, string>) => Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith('__')));
    const expected = groups
      .filter((g) => g.labels.zone !== undefined)
      .flatMap((g) =>
        g.targets.map((address) => ({
          job: 'reference-stack',
          instance: g.labels.instance ?? address,
          service: g.labels.service,
          region: g.labels.region,
          zone: g.labels.zone,
        })),
      );
    const byInstance = (a: { instance?: string }, b: { instance?: string }) => (a.instance ?? '').localeCompare(b.instance ?? '');
    expect(targets.map(visible).sort(byInstance)).toEqual(expected.sort(byInstance));
  });
});
