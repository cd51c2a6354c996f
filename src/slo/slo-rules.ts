/**
 * @module
 * Prometheus recording and alerting rules for SLOs, named and shaped exactly as sloth (slok/sloth@0e395d8,
 * `internal/plugin/slo/core/*_rules_v1`) generates them, so that sloth's dashboards and people's habits carry over.
 * Per SLO, three groups:
 *
 * - `sloth-slo-sli-recordings-<service>-<slo>`: the error ratio `slo:sli_error:ratio_rate<w>` over each alert
 *   window (5m, 30m, 1h, 2h, 6h, 1d, 3d), and over the 30d period as the average of the 5m ratios
 *   (`sum_over_time / count_over_time`, sloth's cheap approximation: biased when traffic varies).
 * - `sloth-slo-meta-recordings-<service>-<slo>`: `slo:objective:ratio`, `slo:error_budget:ratio`,
 *   `slo:time_period:days`, `slo:current_burn_rate:ratio` (5m), `slo:period_burn_rate:ratio` (30d),
 *   `slo:period_error_budget_remaining:ratio` and `sloth_slo_info`.
 * - `sloth-slo-alerts-<service>-<slo>`: the page and ticket alerts, one rule each under the alert name, told apart by
 *   `sloth_severity`, firing on the SRE workbook's multiwindow multi-burn-rate conditions (page: 14.4× over 5m and
 *   1h, or 6× over 30m and 6h; ticket: 3× over 2h and 1d, or 1× over 6h and 3d). A disabled alert is left out, and
 *   so is the group when both are.
 *
 * Series carry `sloth_id` (`<service>-<slo>`), `sloth_service`, `sloth_slo`, the SLI ones `sloth_window`, plus the
 * spec's and the SLO's labels. Numbers are printed as Go prints them (`0.0009999999999999432`, `1e-05`), so the
 * expressions are character for character sloth's. Sloth's quirks are kept, since dashboards may rely on them: the
 * two burn-rate series keep the `sloth_window` of their input (`5m`, `30d`), and `sloth_slo_info` says
 * `sloth_mode: cli-gen-prom`, `sloth_spec: prometheus/v1` and (by default) `sloth_version: simian`.
 */
import { stringify } from 'yaml';
import type { LabelSet, Slo, SloSpec } from './slo-spec.js';

/** The SLO period: sloth's default, and the only one the tiers below are for. */
export const SLO_PERIOD_DAYS = 30;
/** {@link SLO_PERIOD_DAYS} as a PromQL range. */
export const SLO_PERIOD_WINDOW = '30d';

/** One tier of the multiwindow multi-burn-rate alerts. */
export interface BurnRateTier {
  readonly severity: 'page' | 'ticket';
  readonly speed: 'quick' | 'slow';
  /** Share of the period's error budget this tier alerts on spending, in percent. */
  readonly budgetPercent: number;
  readonly shortWindow: string;
  readonly longWindow: string;
  /** `budgetPercent × period / longWindow`, computed in sloth's order: 14.4, 6, 3 and 1 for 30 days. */
  readonly factor: number;
}

const HOURS: Readonly<Record<string, number>> = { m: 1 / 60, h: 1, d: 24 };

/** The length of a PromQL range such as `30m`, `6h` or `3d`, in hours. */
export function windowHours(window: string): number {
  const match = /^(\d+)([mhd])$/.exec(window);
  if (!match) throw new TypeError(`unsupported window "${window}"`);
  return Number(match[1]) * (HOURS[match[2] ?? ''] ?? Number.NaN);
}

function tier(severity: BurnRateTier['severity'], speed: BurnRateTier['speed'], budgetPercent: number, shortWindow: string, longWindow: string): BurnRateTier {
  // Sloth's getBurnRateFactor, operation for operation, so that the factors are the same floats.
  const hoursRequiredConsumption = (budgetPercent * (SLO_PERIOD_DAYS * 24)) / 100;
  return { severity, speed, budgetPercent, shortWindow, longWindow, factor: hoursRequiredConsumption / windowHours(longWindow) };
}

/** The four tiers, from sloth's `google-30d.yaml` (the SRE workbook's recommended parameters). */
export const BURN_RATE_TIERS: readonly BurnRateTier[] = [
  tier('page', 'quick', 2, '5m', '1h'),
  tier('page', 'slow', 5, '30m', '6h'),
  tier('ticket', 'quick', 10, '2h', '1d'),
  tier('ticket', 'slow', 10, '6h', '3d'),
];

/** The windows of the SLI recording rules, shortest first (the period's own comes after them). */
export const SLI_WINDOWS: readonly string[] = [...new Set(BURN_RATE_TIERS.flatMap((t) => [t.shortWindow, t.longWindow]))].sort(
  (a, b) => windowHours(a) - windowHours(b),
);

/** The window of `slo:current_burn_rate:ratio` and of the period's average: the quickest page tier's short one. */
const CURRENT_WINDOW = BURN_RATE_TIERS[0]?.shortWindow ?? '5m';

/** The name of the error-ratio series over `window`: `slo:sli_error:ratio_rate5m`. */
export function sliErrorMetric(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}

/** Sloth's id of an SLO: `<service>-<slo>`. */
export function sloId(service: string, slo: Pick<Slo, 'name'>): string {
  return `${service}-${slo.name}`;
}

/** The labels that identify an SLO's series: `sloth_id`, `sloth_service`, `sloth_slo`. */
export function sloIdLabels(service: string, slo: Pick<Slo, 'name'>): LabelSet {
  return { sloth_id: sloId(service, slo), sloth_service: service, sloth_slo: slo.name };
}

/** The labels every series of an SLO carries: its id labels, then the spec's, then the SLO's own. */
export function sloSeriesLabels(spec: Pick<SloSpec, 'service' | 'labels'>, slo: Pick<Slo, 'name' | 'labels'>): LabelSet {
  return { ...sloIdLabels(spec.service, slo), ...spec.labels, ...slo.labels };
}

/** A recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels: LabelSet;
}

/** An alerting rule (no `for`: the multiwindow condition already filters out blips). */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly labels: LabelSet;
  readonly annotations: LabelSet;
}

/** A rule of a Prometheus rule file. */
export type PrometheusRule = RecordingRule | AlertingRule;

/** A group of a Prometheus rule file. */
export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly PrometheusRule[];
}

/** A Prometheus rule file (`groups:`). */
export interface RuleFile {
  readonly groups: readonly RuleGroup[];
}

/**
 * A float64 as Go's `%g`/`%v` prints it (which sloth's templates use): the shortest round-trip digits, in
 * exponent form when the decimal exponent is below -4 or at least 6 (strconv's `eprec = 6` for the shortest
 * precision), with a signed exponent of at least two digits (`1e-05`, `1.234567e+06`).
 */
export function goFloat(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
  if (value === 0) return '0';
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return String(value);
}

/** A label set as a PromQL matcher, sorted by name: `{sloth_id="a-b", sloth_service="a", sloth_slo="b"}`. */
export function labelMatchers(labels: LabelSet): string {
  const parts = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`);
  return `{${parts.join(', ')}}`;
}

const WINDOW = /\{\{\s*\.window\s*\}\}/g;

function sliExpression(slo: Slo, window: string): string {
  // The same text sloth builds before rendering its template: the queries wrapped, then the window put in.
  const template = slo.sli.kind === 'events' ? `(${slo.sli.errorQuery})\n/\n(${slo.sli.totalQuery})\n` : `(${slo.sli.errorRatioQuery})`;
  return template.replace(WINDOW, window);
}

function sliGroup(spec: SloSpec, slo: Slo): RuleGroup {
  const labels = (window: string): LabelSet => ({ ...sloIdLabels(spec.service, slo), sloth_window: window, ...spec.labels, ...slo.labels });
  const filter = labelMatchers(sloIdLabels(spec.service, slo));
  const current = sliErrorMetric(CURRENT_WINDOW);
  return {
    name: `sloth-slo-sli-recordings-${sloId(spec.service, slo)}`,
    rules: [
      ...SLI_WINDOWS.map((window) => ({ record: sliErrorMetric(window), expr: sliExpression(slo, window), labels: labels(window) })),
      {
        record: sliErrorMetric(SLO_PERIOD_WINDOW),
        expr:
          `sum_over_time(${current}${filter}[${SLO_PERIOD_WINDOW}])\n` +
          `/ ignoring (sloth_window)\n` +
          `count_over_time(${current}${filter}[${SLO_PERIOD_WINDOW}])\n`,
        labels: labels(SLO_PERIOD_WINDOW),
      },
    ],
  };
}

/** Options of the generated rules. */
export interface SloRuleOptions {
  /** `sloth_version` of `sloth_slo_info`. @default 'simian' */
  readonly version?: string;
}

function burnRateExpression(sliMetric: string, filter: string): string {
  return `${sliMetric}${filter}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${filter}\n`;
}

function metaGroup(spec: SloSpec, slo: Slo, options: SloRuleOptions): RuleGroup {
  const labels = sloSeriesLabels(spec, slo);
  const filter = labelMatchers(sloIdLabels(spec.service, slo));
  const ratio = slo.objective / 100;
  return {
    name: `sloth-slo-meta-recordings-${sloId(spec.service, slo)}`,
    rules: [
      { record: 'slo:objective:ratio', expr: `vector(${goFloat(ratio)})`, labels },
      { record: 'slo:error_budget:ratio', expr: `vector(1-${goFloat(ratio)})`, labels },
      { record: 'slo:time_period:days', expr: `vector(${goFloat(SLO_PERIOD_DAYS)})`, labels },
      { record: 'slo:current_burn_rate:ratio', expr: burnRateExpression(sliErrorMetric(CURRENT_WINDOW), filter), labels },
      { record: 'slo:period_burn_rate:ratio', expr: burnRateExpression(sliErrorMetric(SLO_PERIOD_WINDOW), filter), labels },
      { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - slo:period_burn_rate:ratio${filter}`, labels },
      {
        record: 'sloth_slo_info',
        expr: 'vector(1)',
        labels: {
          ...labels,
          sloth_version: options.version ?? 'simian',
          sloth_mode: 'cli-gen-prom',
          sloth_spec: 'prometheus/v1',
          // sloth's strconv.FormatFloat(objective, 'f', -1, 64); the same digits as JavaScript's for objectives >= 1e-6.
          sloth_objective: String(slo.objective),
        },
      },
    ],
  };
}

/** The error budget as sloth's alerts write it: `(100 - objective) / 100`, e.g. `0.0009999999999999432` for 99.9. */
export function alertErrorBudget(slo: Pick<Slo, 'objective'>): number {
  return (100 - slo.objective) / 100;
}

function alertExpression(filter: string, budget: number, quick: BurnRateTier, slow: BurnRateTier): string {
  const condition = (window: string, factor: number) =>
    `max(${sliErrorMetric(window)}${filter} > (${goFloat(factor)} * ${goFloat(budget)})) without (sloth_window)`;
  return (
    `(\n    ${condition(quick.shortWindow, quick.factor)}\n    and\n    ${condition(quick.longWindow, quick.factor)}\n)\n` +
    `or\n` +
    `(\n    ${condition(slow.shortWindow, slow.factor)}\n    and\n    ${condition(slow.longWindow, slow.factor)}\n)\n`
  );
}

/** The two tiers of a severity, quick first. */
export function tiersOf(severity: BurnRateTier['severity']): readonly [BurnRateTier, BurnRateTier] {
  const [quick, slow] = BURN_RATE_TIERS.filter((t) => t.severity === severity);
  if (!quick || !slow) throw new Error(`no ${severity} tiers`);
  return [quick, slow];
}

/**
 * The alerting rule of one severity of an SLO, or undefined if that alert is disabled (or, in a model not made by
 * the parsers, has no alert name). Its labels are the alerting block's and the alert's own plus `sloth_severity`;
 * the SLO's labels come with the series, which the expression keeps (sloth adds them to the alert the same way).
 */
export function sloAlertRule(spec: SloSpec, slo: Slo, severity: BurnRateTier['severity']): AlertingRule | undefined {
  const { alerting } = slo;
  const alert = severity === 'page' ? alerting.pageAlert : alerting.ticketAlert;
  if (alert.disable || alerting.name === undefined) return undefined;
  const [quick, slow] = tiersOf(severity);
  return {
    alert: alerting.name,
    expr: alertExpression(labelMatchers(sloIdLabels(spec.service, slo)), alertErrorBudget(slo), quick, slow),
    labels: { sloth_severity: severity, ...alerting.labels, ...alert.labels },
    annotations: {
      title: `(${severity}) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.`,
      summary: '{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is over expected.',
      ...alerting.annotations,
      ...alert.annotations,
    },
  };
}

/** The rule groups of one spec: three per SLO (two when both alerts are disabled), in the order of its SLOs. */
export function sloRuleGroups(spec: SloSpec, options: SloRuleOptions = {}): RuleGroup[] {
  return spec.slos.flatMap((slo) => {
    const alerts = [sloAlertRule(spec, slo, 'page'), sloAlertRule(spec, slo, 'ticket')].filter((r): r is AlertingRule => r !== undefined);
    return [
      sliGroup(spec, slo),
      metaGroup(spec, slo, options),
      ...(alerts.length > 0 ? [{ name: `sloth-slo-alerts-${sloId(spec.service, slo)}`, rules: alerts }] : []),
    ];
  });
}

/**
 * The rule file of every spec.
 *
 * @example
 * const yaml = renderRuleFile(sloRuleFile(parseSloFile(text, 'slos.yaml')), { source: 'slos.yaml' });
 */
export function sloRuleFile(specs: readonly SloSpec[], options: SloRuleOptions = {}): RuleFile {
  return { groups: specs.flatMap((spec) => sloRuleGroups(spec, options)) };
}

function sortedLabels(labels: LabelSet): Record<string, string> {
  return Object.fromEntries(Object.keys(labels).sort().map((k) => [k, labels[k] ?? '']));
}

/** What the header of a generated file says. */
export interface RenderOptions {
  /**
   * The SLO file the output comes from, as the user named it. Committed output should be generated from a
   * relative path, so that the header is the same on every machine.
   */
  readonly source?: string;
}

/** The "generated, do not edit" header of generated files. */
export function generatedHeader(options: RenderOptions): string {
  const from = options.source === undefined ? '' : ` from ${options.source}`;
  return `# Code generated by simian${from}; DO NOT EDIT.\n`;
}

/** A rule file as YAML: keys in Prometheus's order, labels sorted, multi-line expressions as block scalars. */
export function renderRuleFile(file: RuleFile, options: RenderOptions = {}): string {
  const groups = file.groups.map((group) => ({
    name: group.name,
    rules: group.rules.map((rule) =>
      'record' in rule
        ? { record: rule.record, expr: rule.expr, labels: sortedLabels(rule.labels) }
        : { alert: rule.alert, expr: rule.expr, labels: sortedLabels(rule.labels), annotations: sortedLabels(rule.annotations) },
    ),
  }));
  return `${generatedHeader(options)}\n${stringify({ groups }, { lineWidth: 0 })}`;
}
