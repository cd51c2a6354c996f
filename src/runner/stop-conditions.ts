/**
 * @module
 * Stop conditions, FIS-style guardrails polled while the method runs: an SLO burning its budget too fast over a
 * short window, a PromQL expression that holds, a probe that fails. The first hit aborts the method. By default a
 * condition that cannot be evaluated also stops the run: when we cannot see, we stop breaking things.
 */
import { formatDuration } from '../core/durations.js';
import { errorBudget } from '../slo/slo-spec.js';
import type { StopCondition, StopConditions } from './experiment.js';
import { runActivity } from './probes.js';
import { compare, formatRatio, isoTime, measure, queryValues, type CheckContext, type ResolvedSlo } from './steady-state.js';

/** How one condition came out at one poll. */
export interface StopConditionResult {
  readonly name: string;
  readonly kind: StopCondition['kind'];
  /** The condition holds (or could not be evaluated and `onInconclusive` is `stop`). */
  readonly hit: boolean;
  readonly inconclusive?: true;
  readonly detail: string;
}

/** The condition that stopped the run. */
export interface StopHit extends StopConditionResult {
  readonly at: string;
}

/** Looks an SLO of a burn-rate condition up (its own file, or the steady state's files). */
export type SloLookup = (condition: Extract<StopCondition, { kind: 'burnRate' }>) => ResolvedSlo;

async function evaluate(condition: StopCondition, lookup: SloLookup, context: CheckContext, now: number): Promise<Omit<StopConditionResult, 'hit'> & { holds: boolean }> {
  const base = { name: condition.name, kind: condition.kind };
  switch (condition.kind) {
    case 'burnRate': {
      const { burnRate } = condition;
      const { slo } = lookup(condition);
      if (!context.sli) return { ...base, holds: false, inconclusive: true, detail: 'no SLI source' };
      const result = await measure(context.sli, slo, { start: now - burnRate.windowMs, end: now }, context.signal);
      if (result.outcome === 'inconclusive') return { ...base, holds: false, inconclusive: true, detail: `inconclusive: ${result.reason}` };
      if (result.events && result.events.total < burnRate.minEvents) {
        return { ...base, holds: false, detail: `${result.events.total} event(s) in the window, fewer than minEvents ${burnRate.minEvents}: too few to judge` };
      }
      const rate = result.errorRatio / errorBudget(slo);
      return { ...base, holds: rate > burnRate.above, detail: `burn rate of ${slo.name} over the last ${formatDuration(burnRate.windowMs)}: ${formatRatio(rate)} (stops above ${burnRate.above})` };
    }
    case 'query': {
      const { query } = condition;
      const answer = await queryValues(query.expr, context, now);
      if ('inconclusive' in answer) return { ...base, holds: false, inconclusive: true, detail: `inconclusive: ${answer.inconclusive}` };
      const holding = answer.values.filter((v) => compare(v, query.comparator, query.threshold));
      return { ...base, holds: holding.length > 0, detail: `${answer.values.slice(0, 5).map(formatRatio).join(', ')} (stops when ${query.comparator} ${query.threshold})` };
    }
    case 'http':
    case 'process': {
      const result = await runActivity(condition, context);
      if (result.aborted) return { ...base, holds: false, inconclusive: true, detail: result.detail };
      return { ...base, holds: !result.ok, detail: result.ok ? `passing: ${result.detail}` : `failing: ${result.detail}` };
    }
  }
}

/**
 * Evaluates every condition once (concurrently) and returns each result, and the first hit in file order. An
 * inconclusive condition is a hit when `onInconclusive` is `stop`.
 */
export async function pollStopConditions(
  stopConditions: StopConditions,
  lookup: SloLookup,
  context: CheckContext,
): Promise<{ readonly results: readonly StopConditionResult[]; readonly hit?: StopHit }> {
  const now = context.clock.now();
  const evaluated = await Promise.all(stopConditions.conditions.map((condition) => evaluate(condition, lookup, context, now)));
  const results = evaluated.map(({ holds, ...rest }): StopConditionResult => ({ ...rest, hit: holds || (rest.inconclusive === true && stopConditions.onInconclusive === 'stop') }));
  const first = results.find((r) => r.hit);
  return { results, ...(first ? { hit: { ...first, at: isoTime(now) } } : {}) };
}
