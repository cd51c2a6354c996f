/**
 * @module
 * The steady-state hypothesis: SLOs scored over a window, PromQL values against thresholds, probes that must
 * pass. Missing data is inconclusive and an inconclusive check is not met: a hypothesis we cannot see is not one
 * that holds.
 */
import type { SliResult, SliSource, SliWindow } from '../slo/sli-source.js';
import { errorBudget, type Slo } from '../slo/slo-spec.js';
import type { Comparator, QueryCheck, SloCheck, SteadyState } from './experiment.js';
import { runActivity, type ActivityContext, type ActivityResult } from './probes.js';
import type { PrometheusQuery } from './runner-deps.js';
import { interpolate } from './variables.js';

/** An SLO of a steady-state check, found in its file. */
export interface ResolvedSlo {
  /** The absolute path of the SLO file. */
  readonly file: string;
  readonly service: string;
  readonly slo: Slo;
  readonly check: SloCheck;
}

/** A steady state with its SLOs looked up. */
export interface ResolvedSteadyState extends Omit<SteadyState, 'slos'> {
  readonly slos: readonly ResolvedSlo[];
}

/** A window as the journal writes it. */
export interface JournalWindow {
  readonly start: string;
  readonly end: string;
}

/** How one SLO scored. */
export interface SloCheckResult {
  readonly kind: 'slo';
  readonly name: string;
  readonly service: string;
  readonly met: boolean;
  readonly inconclusive?: true;
  readonly detail: string;
  /** Percent, as in the SLO file. */
  readonly objective: number;
  readonly window: JournalWindow;
  /** Null when inconclusive. */
  readonly errorRatio: number | null;
  readonly events?: { readonly errors: number; readonly total: number };
}

/** How one PromQL check came out. */
export interface QueryCheckResult {
  readonly kind: 'query';
  readonly name: string;
  readonly met: boolean;
  readonly inconclusive?: true;
  readonly detail: string;
  readonly expr: string;
  readonly comparator: Comparator;
  readonly threshold: number;
  readonly values: readonly number[];
}

/** How one probe came out. */
export interface ProbeCheckResult {
  readonly kind: 'probe';
  readonly name: string;
  readonly met: boolean;
  readonly detail: string;
  readonly result: ActivityResult;
}

/** One check of the hypothesis. */
export type CheckResult = SloCheckResult | QueryCheckResult | ProbeCheckResult;

/** When the hypothesis is checked. */
export type SteadyStatePhase = 'before' | 'during' | 'after' | 'recovery';

/** The hypothesis at one moment. */
export interface SteadyStateResult {
  readonly phase: SteadyStatePhase;
  readonly at: string;
  /** Every check met (a hypothesis without checks is met). */
  readonly met: boolean;
  readonly checks: readonly CheckResult[];
}

/** What checking needs beyond running activities. */
export interface CheckContext extends ActivityContext {
  readonly sli?: SliSource;
  readonly prometheus?: PrometheusQuery;
}

/** Epoch ms as the journal writes it. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** A ratio for people: four significant digits. */
export function formatRatio(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value);
}

/** Whether `value <comparator> threshold` holds; NaN never does. */
export function compare(value: number, comparator: Comparator, threshold: number): boolean {
  if (Number.isNaN(value)) return false;
  switch (comparator) {
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Asks the SLI source, turning a throw into an inconclusive result (sources should not throw, but may). */
export async function measure(sli: SliSource, slo: Slo, window: SliWindow, signal?: AbortSignal): Promise<SliResult> {
  if (!(window.end > window.start)) return { outcome: 'inconclusive', reason: 'the window is empty' };
  try {
    return await sli.errorRatio(slo, window, signal);
  } catch (error) {
    return { outcome: 'inconclusive', reason: `${sli.name}: ${errorText(error)}` };
  }
}

/** Scores one SLO over `window`: met when the error ratio is within the error budget (the SLI meets the objective). */
export async function scoreSlo(resolved: ResolvedSlo, window: SliWindow, context: CheckContext): Promise<SloCheckResult> {
  const { slo } = resolved;
  const base = {
    kind: 'slo' as const,
    name: slo.name,
    service: resolved.service,
    objective: slo.objective,
    window: { start: isoTime(window.start), end: isoTime(window.end) },
  };
  if (!context.sli) return { ...base, met: false, inconclusive: true, detail: 'no SLI source', errorRatio: null };
  const result = await measure(context.sli, slo, window, context.signal);
  if (result.outcome === 'inconclusive') return { ...base, met: false, inconclusive: true, detail: `inconclusive: ${result.reason}`, errorRatio: null };
  const budget = errorBudget(slo);
  // A hair of tolerance: 1 - 99.9/100 is not exactly 0.001 in floating point.
  const met = result.errorRatio <= budget + 1e-12;
  return {
    ...base,
    met,
    detail: `error ratio ${formatRatio(result.errorRatio)} ${met ? '<=' : '>'} budget ${formatRatio(budget)} (objective ${slo.objective}%)`,
    errorRatio: result.errorRatio,
    ...(result.events ? { events: result.events } : {}),
  };
}

/**
 * The values of an instant query, or why there are none. An empty result is inconclusive, never a pass.
 */
export async function queryValues(expr: string, context: CheckContext, now: number): Promise<{ values: number[] } | { inconclusive: string }> {
  if (!context.prometheus) return { inconclusive: 'no Prometheus to query (--prometheus URL)' };
  try {
    const samples = await context.prometheus(interpolate(expr, context.variables), { time: now, ...(context.signal ? { signal: context.signal } : {}) });
    if (samples.length === 0) return { inconclusive: 'the query returned no data' };
    return { values: samples.map((s) => s.value) };
  } catch (error) {
    return { inconclusive: errorText(error) };
  }
}

async function checkQuery(check: QueryCheck, context: CheckContext, now: number): Promise<QueryCheckResult> {
  const base = { kind: 'query' as const, name: check.name, expr: check.expr, comparator: check.comparator, threshold: check.threshold };
  const answer = await queryValues(check.expr, context, now);
  if ('inconclusive' in answer) return { ...base, met: false, inconclusive: true, detail: `inconclusive: ${answer.inconclusive}`, values: [] };
  const failing = answer.values.filter((v) => !compare(v, check.comparator, check.threshold));
  const shown = answer.values.slice(0, 5).map(formatRatio).join(', ');
  return {
    ...base,
    met: failing.length === 0,
    detail: failing.length === 0 ? `${shown} ${check.comparator} ${check.threshold}` : `${failing.length} of ${answer.values.length} value(s) fail ${check.comparator} ${check.threshold}: ${failing.slice(0, 5).map(formatRatio).join(', ')}`,
    values: answer.values,
  };
}

async function checkProbe(probe: SteadyState['probes'][number], context: CheckContext): Promise<ProbeCheckResult> {
  const result = await runActivity(probe, context);
  return { kind: 'probe', name: probe.name, met: result.ok, detail: result.detail, result };
}

/**
 * Checks the whole hypothesis at once (checks run concurrently, results in file order). `windowOf` says which
 * window each SLO is scored over in this phase. `aborted` is true when the context's signal cut a check short.
 */
export async function evaluateSteadyState(
  phase: SteadyStatePhase,
  steadyState: ResolvedSteadyState,
  windowOf: (slo: ResolvedSlo) => SliWindow,
  context: CheckContext,
): Promise<SteadyStateResult & { readonly aborted: boolean }> {
  const now = context.clock.now();
  const checks: CheckResult[] = await Promise.all([
    ...steadyState.slos.map((slo) => scoreSlo(slo, windowOf(slo), context)),
    ...steadyState.queries.map((query) => checkQuery(query, context, now)),
    ...steadyState.probes.map((probe) => checkProbe(probe, context)),
  ]);
  const aborted = context.signal?.aborted === true || checks.some((c) => c.kind === 'probe' && c.result.aborted === true);
  return { phase, at: isoTime(now), met: checks.every((c) => c.met), checks, aborted };
}

/** Whether a steady state has anything to check. */
export function hasChecks(steadyState: ResolvedSteadyState): boolean {
  return steadyState.slos.length + steadyState.queries.length + steadyState.probes.length > 0;
}
