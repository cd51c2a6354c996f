/**
 * @module
 * `promtool test rules` unit tests for the rules of {@link sloRuleFile}, so that every generated SLO ships with
 * proof that its rules record what they should and alert when they should. Per SLO, one test group each:
 *
 * - **burning**: errors at 20× the budget (a total outage when that is more than every request); the page alert
 *   fires, and the ticket alert with it (told apart by `sloth_severity`), with their labels and expanded
 *   annotations; the objective, error budget, period, the 5m, 1h and 30d error ratios and the current burn rate
 *   are recorded with the expected values.
 * - **ticket only**: errors at 2× the budget; the ticket alert fires (1× over 6h and 3d), the page alert does not.
 * - **healthy**: errors at half the budget; no alert of the SLO fires.
 *
 * Which alerts fire is worked out from the tiers (a severity fires when the burn rate exceeds one of its
 * factors), and burn rates within 5% of a factor are avoided. Errors run at a constant share from the first
 * sample and everything is evaluated at 5 minutes: every window, 3d included, then holds that same share (rate()
 * uses the samples there are), so the alerts are decided by the factors alone and promtool stays fast.
 *
 * The input series are made from the SLI's own queries when they are in the subset the direct-scrape evaluator
 * reads (`promql-subset.ts`: `sum(rate(<selector>[{{.window}}]))`, or the difference of two): for each metric a
 * handful of label sets is found that match or miss each selector, and the smallest sets of series that make one
 * good event (0 errors, 1 total) and one bad event (1 error, 1 total) are chosen. So the tests exercise the SLI
 * queries themselves. For anything else (raw SLIs, other PromQL) they feed the recorded
 * `slo:sli_error:ratio_rate<w>` series directly and exercise everything downstream of them; the group's name
 * says so.
 *
 * Error ratios are compared within a tolerance (`abs(x - expected) < bool tol`), because `rate()` extrapolates
 * and promtool compares floats exactly. Alerts are asserted with `alert_rule_test` when the alert name belongs to
 * this SLO alone, and through the `ALERTS` series otherwise (an alert name shared by SLOs would mix their alerts).
 */
import { stringify } from 'yaml';
import { InvalidInputError } from '../core/errors.js';
import { matchesAll, parseSubsetQuery, type MatchOp, type SubsetQuery, type SubsetTerm } from './promql-subset.js';
import type { LabelSet, Slo, SloSpec } from './slo-spec.js';
import {
  BURN_RATE_TIERS,
  generatedHeader,
  labelMatchers,
  SLI_WINDOWS,
  SLO_PERIOD_DAYS,
  SLO_PERIOD_WINDOW,
  sliErrorMetric,
  sloAlertRule,
  sloIdLabels,
  sloId,
  sloSeriesLabels,
  type AlertingRule,
  type RenderOptions,
} from './slo-rules.js';

/** The code of the error for an SLO whose rules cannot be unit-tested as generated. */
export const SLO_UNTESTABLE = 'slo.untestable';

/** One input series of a promtool test. */
export interface PromtoolInputSeries {
  readonly series: string;
  readonly values: string;
}

/** An expected alert. */
export interface PromtoolExpectedAlert {
  readonly exp_labels: LabelSet;
  readonly exp_annotations: LabelSet;
}

/** An `alert_rule_test` entry. */
export interface PromtoolAlertTest {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts: readonly PromtoolExpectedAlert[];
}

/** A `promql_expr_test` entry. */
export interface PromtoolExprTest {
  readonly expr: string;
  readonly eval_time: string;
  readonly exp_samples: ReadonlyArray<{ readonly labels: string; readonly value: number }>;
}

/** A test group. */
export interface PromtoolTestGroup {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly PromtoolInputSeries[];
  readonly alert_rule_test?: readonly PromtoolAlertTest[];
  readonly promql_expr_test?: readonly PromtoolExprTest[];
}

/** A `promtool test rules` file. */
export interface PromtoolTestFile {
  readonly rule_files: readonly string[];
  readonly evaluation_interval: string;
  readonly tests: readonly PromtoolTestGroup[];
}

/** Options of {@link sloRuleTests}. */
export interface RuleTestOptions {
  /** The rules file as the tests file names it: a path relative to the tests file's folder. */
  readonly rulesFile: string;
}

// ---------------------------------------------------------------------------------------------------------------
// The SLI queries as the direct-scrape evaluator reads them: one sum(rate(…)) term, or the difference of two.

interface Matcher {
  readonly label: string;
  readonly op: MatchOp;
  readonly value: string;
}

interface Selector {
  readonly metric: string;
  readonly matchers: readonly Matcher[];
}

interface Term {
  readonly sign: 1 | -1;
  readonly selector: Selector;
}

/** The signed terms of a query of the subset (see promql-subset.ts), or undefined if it is not in the subset. */
function subsetTerms(query: string): Term[] | undefined {
  let parsed: SubsetQuery;
  try {
    parsed = parseSubsetQuery(query);
  } catch {
    return undefined;
  }
  const signed: Array<[1 | -1, SubsetTerm]> = parsed.kind === 'term' ? [[1, parsed.term]] : [[1, parsed.minuend], [-1, parsed.subtrahend]];
  const terms: Term[] = [];
  for (const [sign, term] of signed) {
    const name = term.matchers.find((m) => m.name === '__name__' && m.op === '=');
    // Without a fixed metric name there is no series to write.
    if (name === undefined || term.matchers.some((m) => m.name === '__name__' && m !== name)) return undefined;
    const matchers = term.matchers.filter((m) => m !== name).map((m) => ({ label: m.name, op: m.op, value: m.value }));
    terms.push({ sign, selector: { metric: name.value, matchers } });
  }
  return terms;
}

// ---------------------------------------------------------------------------------------------------------------
// Finding series that make one good event and one bad event.

/** A series: a metric and its labels. */
interface Series {
  readonly metric: string;
  readonly labels: LabelSet;
}

/** Whether `value` satisfies one matcher, by the evaluator's own rules (anchored regexes). */
function matches(matcher: Matcher, value: string): boolean {
  return matchesAll([{ name: matcher.label, op: matcher.op, value: matcher.value }], { [matcher.label]: value });
}

function selects(selector: Selector, series: Series): boolean {
  return series.metric === selector.metric && selector.matchers.every((m) => matches(m, series.labels[m.label] ?? ''));
}

/** Strings a simple regular expression matches (`5..` → `500`, `a|b` → `a`, `b`), tried in turn as label values. */
function regexSamples(source: string): string[] {
  const alternatives: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '|' && depth === 0) {
      alternatives.push(source.slice(start, i));
      start = i + 1;
    }
  }
  alternatives.push(source.slice(start));
  return alternatives.map(sampleOf);
}

function sampleOf(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i] ?? '';
    let piece: string;
    if (c === '\\') {
      const next = source[++i] ?? '';
      piece = ({ d: '0', w: 'a', s: ' ' } as Record<string, string>)[next] ?? next;
    } else if (c === '.') piece = '0';
    else if (c === '[') {
      const end = source.indexOf(']', i + 2);
      const body = source.slice(i + 1, end < 0 ? source.length : end);
      piece = body.startsWith('^') ? 'x' : body.replace(/^\\/, '').charAt(0);
      i = end < 0 ? source.length : end;
    } else if (c === '(') {
      let depth = 1;
      let j = i + 1;
      for (; j < source.length && depth > 0; j++) {
        if (source[j] === '\\') j++;
        else if (source[j] === '(') depth++;
        else if (source[j] === ')') depth--;
      }
      piece = regexSamples(source.slice(i + 1, j - 1).replace(/^\?:/, ''))[0] ?? '';
      i = j - 1;
    } else if (c === '^' || c === '$') piece = '';
    else piece = c;
    const quantifier = /^(?:[*?]|\+|\{(\d+)(?:,\d*)?\})\??/.exec(source.slice(i + 1));
    if (quantifier) {
      i += quantifier[0].length;
      const q = quantifier[0][0];
      piece = q === '*' || q === '?' ? '' : q === '{' ? piece.repeat(Number(quantifier[1])) : piece;
    }
    out += piece;
  }
  return out;
}

/** A label set of `metric` matching the selectors of `positive` and none of `negative`, or undefined. */
function solve(metric: string, positive: readonly Selector[], negative: readonly Selector[]): Series | undefined {
  // A missed selector needs one of its matchers to fail: try each choice.
  const choices = negative.reduce<Array<Array<{ matcher: Matcher; want: boolean }>>>(
    (acc, selector) => acc.flatMap((chosen) => selector.matchers.map((matcher) => [...chosen, { matcher, want: false }])),
    [[]],
  );
  if (negative.some((s) => s.matchers.length === 0)) return undefined;
  const required = positive.flatMap((s) => s.matchers.map((matcher) => ({ matcher, want: true })));
  for (const choice of choices) {
    const constraints = [...required, ...choice];
    const labels: Record<string, string> = {};
    let ok = true;
    for (const label of [...new Set(constraints.map((c) => c.matcher.label))].sort()) {
      const mine = constraints.filter((c) => c.matcher.label === label);
      const candidates = [
        ...mine.filter((c) => c.matcher.op === '=' || c.matcher.op === '!=').map((c) => c.matcher.value),
        ...mine.filter((c) => c.matcher.op === '=~' || c.matcher.op === '!~').flatMap((c) => regexSamples(c.matcher.value)),
        // A label only required to differ from a value is best left out; one that must miss a pattern (code!~"5..")
        // reads best as a value.
        ...(mine.every((c) => c.want && c.matcher.op === '!=') ? [''] : []),
        '200',
        '500',
        'x',
        'other',
        '',
      ];
      const value = candidates.find((v) => mine.every((c) => matches(c.matcher, v) === c.want));
      if (value === undefined) {
        ok = false;
        break;
      }
      if (value !== '') labels[label] = value;
    }
    if (ok) return { metric, labels };
  }
  return undefined;
}

/** The series that make one event of each kind, for the SLI's error and total terms; undefined if none do. */
function eventSeries(errorTerms: readonly Term[], totalTerms: readonly Term[]): { good: Series[]; bad: Series[] } | undefined {
  const all = [...errorTerms, ...totalTerms];
  const metrics = [...new Set(all.map((t) => t.selector.metric))];
  const candidatesOf = metrics.map((metric) => {
    const selectors = [...new Map(all.filter((t) => t.selector.metric === metric).map((t) => [JSON.stringify(t.selector), t.selector])).values()];
    const found: Series[] = [];
    for (let pattern = (1 << selectors.length) - 1; pattern >= 0; pattern--) {
      const series = solve(
        metric,
        selectors.filter((_, i) => pattern & (1 << i)),
        selectors.filter((_, i) => !(pattern & (1 << i))),
      );
      if (series && !found.some((f) => JSON.stringify(f) === JSON.stringify(series))) found.push(series);
    }
    return found;
  });
  const value = (terms: readonly Term[], chosen: readonly Series[]) =>
    terms.reduce((sum, t) => sum + t.sign * chosen.filter((s) => selects(t.selector, s)).length, 0);
  let good: Series[] | undefined;
  let bad: Series[] | undefined;
  // Every combination of at most one series per metric, fewest series first.
  let combos: Series[][] = [[]];
  for (const candidates of candidatesOf) combos = combos.flatMap((combo) => [combo, ...candidates.map((c) => [...combo, c])]);
  combos.sort((a, b) => a.length - b.length);
  for (const combo of combos) {
    const errors = value(errorTerms, combo);
    const total = value(totalTerms, combo);
    if (total !== 1) continue;
    if (errors === 0) good ??= combo;
    if (errors === 1) bad ??= combo;
  }
  return good && bad ? { good, bad } : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The tests.

/** Events per minute in the input series: large enough that half a 99.999% budget is whole errors. */
const EVENTS_PER_MINUTE = 1_000_000;
/** Minutes of input; the alerts are evaluated at {@link EVAL_TIME}, when every window holds enough samples. */
const MINUTES = 10;
const EVAL_TIME = '5m';

function seriesText(series: Series): string {
  const names = Object.keys(series.labels).sort();
  return names.length === 0 ? series.metric : `${series.metric}${labelMatchers(series.labels)}`;
}

function sorted(labels: LabelSet): LabelSet {
  return Object.fromEntries(Object.keys(labels).sort().map((k) => [k, labels[k] ?? '']));
}

/** `{{$labels.x}}` and `{{ .Labels.x }}` expanded as Prometheus would; any other template action is refused. */
function expandAnnotation(template: string, labels: LabelSet, slo: string): string {
  const expanded = template.replace(/\{\{\s*(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, name: string) => labels[name] ?? '<no value>');
  if (expanded.includes('{{')) {
    throw new InvalidInputError(
      SLO_UNTESTABLE,
      `SLO ${slo}: annotation ${JSON.stringify(template)} uses a template the generated tests cannot predict; only {{$labels.<name>}} is expanded`,
    );
  }
  return expanded;
}

interface SloCase {
  readonly spec: SloSpec;
  readonly slo: Slo;
  /** The alert rules of the SLO, page first; disabled ones are absent. */
  readonly alerts: readonly AlertingRule[];
  /** Whether another SLO of the file has the same alert name. */
  readonly sharedAlertName: boolean;
}

/** Input series that hold the SLO's error ratio at `badPerMinute` / {@link EVENTS_PER_MINUTE}. */
function inputSeries(c: SloCase, badPerMinute: number): { series: PromtoolInputSeries[]; direct: boolean } {
  const { slo } = c;
  const values = (perMinute: number) => `0+${perMinute}x${MINUTES}`;
  if (slo.sli.kind === 'events') {
    const errorTerms = subsetTerms(slo.sli.errorQuery);
    const totalTerms = subsetTerms(slo.sli.totalQuery);
    const events = errorTerms && totalTerms ? eventSeries(errorTerms, totalTerms) : undefined;
    if (events) {
      const perMinute = new Map<string, number>();
      const add = (list: readonly Series[], n: number) => {
        for (const s of list) perMinute.set(seriesText(s), (perMinute.get(seriesText(s)) ?? 0) + n);
      };
      add(events.good, EVENTS_PER_MINUTE - badPerMinute);
      add(events.bad, badPerMinute);
      return { series: [...perMinute].map(([series, n]) => ({ series, values: values(n) })), direct: false };
    }
  }
  // Outside the subset: the recorded error ratios themselves, constant, from which everything else follows.
  const ratio = badPerMinute / EVENTS_PER_MINUTE;
  const labels = (window: string) => ({ ...sloIdLabels(c.spec.service, slo), sloth_window: window, ...c.spec.labels, ...slo.labels });
  return {
    series: SLI_WINDOWS.map((window) => ({ series: `${sliErrorMetric(window)}${labelMatchers(labels(window))}`, values: `${ratio}+0x${MINUTES}` })),
    direct: true,
  };
}

/** An expression test that `expr` is within a relative 1e-9 of `expected`, for every series it returns. */
function closeTo(expr: string, labels: LabelSet, expected: number): PromtoolExprTest {
  const tolerance = Math.abs(expected) * 1e-9 + 1e-12;
  return { expr: `abs(${expr} - ${expected}) < bool ${tolerance}`, eval_time: EVAL_TIME, exp_samples: [{ labels: labelMatchers(labels), value: 1 }] };
}

function recordingTests(c: SloCase, ratio: number, direct: boolean): PromtoolExprTest[] {
  const { spec, slo } = c;
  const filter = labelMatchers(sloIdLabels(spec.service, slo));
  const labels = sloSeriesLabels(spec, slo);
  const objective = slo.objective / 100;
  const exact = (name: string, value: number): PromtoolExprTest => ({
    expr: `${name}${filter}`,
    eval_time: EVAL_TIME,
    exp_samples: [{ labels: `${name}${labelMatchers(labels)}`, value }],
  });
  const sli = (window: string) => ({ ...sloIdLabels(spec.service, slo), sloth_window: window, ...spec.labels, ...slo.labels });
  return [
    exact('slo:objective:ratio', objective),
    // The same subtraction Prometheus does for vector(1-<objective>).
    exact('slo:error_budget:ratio', 1 - objective),
    exact('slo:time_period:days', SLO_PERIOD_DAYS),
    ...(direct ? [] : [closeTo(`${sliErrorMetric('5m')}${filter}`, sli('5m'), ratio), closeTo(`${sliErrorMetric('1h')}${filter}`, sli('1h'), ratio)]),
    closeTo(`${sliErrorMetric(SLO_PERIOD_WINDOW)}${filter}`, sli(SLO_PERIOD_WINDOW), ratio),
    // As in sloth, the burn rate keeps the labels of its left side, sloth_window included.
    closeTo(`slo:current_burn_rate:ratio${filter}`, { ...labels, sloth_window: '5m' }, ratio / (1 - objective)),
  ];
}

/** The alert tests at a burn rate, and the severities that fire: any tier whose factor the burn rate exceeds. */
function alertTests(
  c: SloCase,
  burn: number,
): { tests: { alert_rule_test?: PromtoolAlertTest[]; promql_expr_test?: PromtoolExprTest[] }; firing: string[] } {
  if (c.alerts.length === 0) return { tests: {}, firing: [] };
  const seriesLabels = sloSeriesLabels(c.spec, c.slo);
  const id = sloId(c.spec.service, c.slo);
  const firing = c.alerts.filter((rule) => BURN_RATE_TIERS.some((t) => t.severity === rule.labels['sloth_severity'] && burn > t.factor));
  const name = c.alerts[0]?.alert ?? '';
  const severities = firing.map((rule) => rule.labels['sloth_severity'] ?? '');
  if (!c.sharedAlertName) {
    const tests = {
      alert_rule_test: [
        {
          eval_time: EVAL_TIME,
          alertname: name,
          exp_alerts: firing.map((rule) => ({
            exp_labels: sorted({ ...seriesLabels, ...rule.labels }),
            exp_annotations: sorted(Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, expandAnnotation(v, seriesLabels, id)]))),
          })),
        },
      ],
    };
    return { tests, firing: severities };
  }
  const tests = {
    promql_expr_test: [
      {
        expr: `ALERTS{alertname=${JSON.stringify(name)}, sloth_id=${JSON.stringify(id)}}`,
        eval_time: EVAL_TIME,
        exp_samples: firing.map((rule) => ({
          labels: `ALERTS${labelMatchers({ ...seriesLabels, ...rule.labels, alertname: name, alertstate: 'firing' })}`,
          value: 1,
        })),
      },
    ],
  };
  return { tests, firing: severities };
}

/** How close a burn rate may come to a tier's factor before the test would hinge on float rounding. */
const MARGIN = 0.05;

/** Errors per minute for about `targetBurn`× the budget, kept clear of every tier's factor; undefined if none is. */
function errorsPerMinute(budget: number, targetBurn: number): number | undefined {
  const exact = targetBurn * budget * EVENTS_PER_MINUTE;
  for (const bad of [Math.round(exact), Math.floor(exact), Math.ceil(exact)]) {
    const clamped = Math.min(EVENTS_PER_MINUTE, Math.max(0, bad));
    const burn = clamped / EVENTS_PER_MINUTE / budget;
    if (BURN_RATE_TIERS.every((t) => Math.abs(burn - t.factor) >= MARGIN * t.factor)) return clamped;
  }
  return undefined;
}

function outcome(firing: readonly string[], alerts: readonly AlertingRule[]): string {
  if (alerts.length === 0) return 'recorded (no alert enabled)';
  if (firing.length === 0) return 'no alert fires';
  const silent = alerts.map((a) => a.labels['sloth_severity'] ?? '').filter((s) => !firing.includes(s));
  return `${firing.join(' and ')} ${firing.length > 1 ? 'fire' : 'fires'}${silent.length > 0 ? `, no ${silent.join(' or ')}` : ''}`;
}

function group(c: SloCase, bad: number): PromtoolTestGroup {
  const ratio = bad / EVENTS_PER_MINUTE;
  const burn = ratio / (1 - c.slo.objective / 100);
  const { series, direct } = inputSeries(c, bad);
  const { tests, firing } = alertTests(c, burn);
  const how = direct ? ' (SLI outside the sum(rate()) subset: the recorded error ratios are the input)' : '';
  return {
    name: `${sloId(c.spec.service, c.slo)}: errors at ${Number(burn.toPrecision(4))}x the error budget: ${outcome(firing, c.alerts)}${how}`,
    interval: '1m',
    input_series: series,
    ...(tests.alert_rule_test ? { alert_rule_test: tests.alert_rule_test } : {}),
    promql_expr_test: [...recordingTests(c, ratio, direct), ...(tests.promql_expr_test ?? [])],
  };
}

/**
 * The promtool unit tests of the rules generated for `specs`.
 *
 * @throws InvalidInputError `slo.untestable` when an annotation uses a template other than `{{$labels.<name>}}`,
 * whose expansion the tests cannot predict
 * @example
 * const tests = sloRuleTests(specs, { rulesFile: 'reference-stack.rules.yaml' });
 * writeFileSync('reference-stack.rules.test.yaml', renderRuleTests(tests));
 */
export function sloRuleTests(specs: readonly SloSpec[], options: RuleTestOptions): PromtoolTestFile {
  const names = new Map<string, number>();
  for (const spec of specs) {
    for (const slo of spec.slos) {
      const name = slo.alerting.name;
      if (name !== undefined && !(slo.alerting.pageAlert.disable && slo.alerting.ticketAlert.disable)) names.set(name, (names.get(name) ?? 0) + 1);
    }
  }
  const tests = specs.flatMap((spec) =>
    spec.slos.flatMap((slo) => {
      const alerts = [sloAlertRule(spec, slo, 'page'), sloAlertRule(spec, slo, 'ticket')].filter((r): r is AlertingRule => r !== undefined);
      const c: SloCase = { spec, slo, alerts, sharedAlertName: (names.get(slo.alerting.name ?? '') ?? 0) > 1 };
      const budget = 1 - slo.objective / 100;
      // Burning (pages), ticket-only, healthy; a low objective can clamp two of them to the same total outage.
      const rates = [...new Set([20, 2, 0.5].map((burn) => errorsPerMinute(budget, burn)).filter((n): n is number => n !== undefined))];
      return rates.map((bad) => group(c, bad));
    }),
  );
  return { rule_files: [options.rulesFile], evaluation_interval: '1m', tests };
}

/** A test file as YAML, with the generated-file header. */
export function renderRuleTests(file: PromtoolTestFile, options: RenderOptions = {}): string {
  return `${generatedHeader(options)}\n${stringify(file, { lineWidth: 0 })}`;
}
