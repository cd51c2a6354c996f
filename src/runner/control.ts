/**
 * @module
 * Control versus experiment, after Netflix's ChAP: faults land only on the experiment group, and each SLO of the
 * steady state is scored twice over the method window, once per group, by adding a label matcher for the group's
 * members to the SLO's queries. The verdict compares the two error ratios, so a dip that hits both groups (a bad
 * deploy, a noisy neighbour) is not blamed on the fault, and a fault that hurts only its group is caught even when
 * the absolute level stays within the objective. Either side inconclusive fails the comparison.
 */
import type { SliWindow } from '../slo/sli-source.js';
import { errorBudget, type Slo } from '../slo/slo-spec.js';
import type { ControlSpec } from './experiment.js';
import type { ControlComparison, ControlRecord } from './journal.js';
import { membershipMatcher, withLabelMatcher } from './label-matcher.js';
import { formatRatio, isoTime, measure, type CheckContext, type ResolvedSlo } from './steady-state.js';

/** `slo` with `label=~"<members>"` added to every selector of its SLI queries. */
export function sloForGroup(slo: Slo, label: string, members: readonly string[]): Slo {
  const matcher = membershipMatcher(label, members);
  const sli =
    slo.sli.kind === 'events'
      ? { kind: 'events' as const, errorQuery: withLabelMatcher(slo.sli.errorQuery, matcher), totalQuery: withLabelMatcher(slo.sli.totalQuery, matcher) }
      : { kind: 'raw' as const, errorRatioQuery: withLabelMatcher(slo.sli.errorRatioQuery, matcher) };
  return { ...slo, sli };
}

async function side(slo: Slo, window: SliWindow, context: CheckContext): Promise<{ errorRatio: number | null; detail: string }> {
  if (!context.sli) return { errorRatio: null, detail: 'inconclusive: no SLI source' };
  const result = await measure(context.sli, slo, window, context.signal);
  if (result.outcome === 'inconclusive') return { errorRatio: null, detail: `inconclusive: ${result.reason}` };
  return { errorRatio: result.errorRatio, detail: `error ratio ${formatRatio(result.errorRatio)}${result.events ? ` (${Math.round(result.events.errors)} of ${Math.round(result.events.total)} events)` : ''}` };
}

/**
 * Scores every SLO for both groups over `window` and judges: the experiment group's error ratio may exceed the
 * control's by at most `maxDelta` (default: the SLO's error budget).
 */
export async function compareGroups(control: ControlSpec, slos: readonly ResolvedSlo[], window: SliWindow | undefined, context: CheckContext): Promise<ControlRecord> {
  const base = { by: control.by, label: control.label, control: control.control, experiment: control.experiment };
  if (!window || !(window.end > window.start)) return { ...base, window: null, met: false, comparisons: [] };
  const comparisons = await Promise.all(
    slos.map(async ({ slo, service }): Promise<ControlComparison> => {
      const [controlSide, experimentSide] = await Promise.all([
        side(sloForGroup(slo, control.label, control.control), window, context),
        side(sloForGroup(slo, control.label, control.experiment), window, context),
      ]);
      const maxDelta = control.maxDelta ?? errorBudget(slo);
      const delta = controlSide.errorRatio === null || experimentSide.errorRatio === null ? null : experimentSide.errorRatio - controlSide.errorRatio;
      return { slo: slo.name, service, control: controlSide, experiment: experimentSide, delta, maxDelta, met: delta !== null && delta <= maxDelta + 1e-12 };
    }),
  );
  return { ...base, window: { start: isoTime(window.start), end: isoTime(window.end) }, met: comparisons.every((c) => c.met), comparisons };
}
