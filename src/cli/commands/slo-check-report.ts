/**
 * @module
 * How `simian slo check` prints its verdicts: a table for people, JSON for scripts.
 */
import { formatDuration } from '../../slo/burn-rate.js';
import type { SloEvaluation } from '../../slo/evaluate-slo.js';
import type { SliWindow } from '../../slo/sli-source.js';
import { formatTable } from '../table.js';

/** One SLO's verdict, with the service it belongs to. */
export interface Row {
  readonly service: string;
  readonly evaluation: SloEvaluation;
}

/** The report as `--json` prints it. */
export function toJson(file: string, window: SliWindow, source: string, rows: readonly Row[]): unknown {
  return {
    file,
    source,
    window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString(), durationMs: window.end - window.start },
    slos: rows.map(({ service, evaluation: e }) => ({
      service,
      slo: e.slo.name,
      objective: e.objective,
      sli: e.sli,
      errorRatio: e.errorRatio,
      events: e.events ?? null,
      errorBudgetConsumed: e.errorBudgetConsumed,
      periodBudgetConsumed: e.periodBudgetConsumed,
      burnRates: e.burnRates,
      verdict: e.verdict,
      reason: e.reason,
    })),
  };
}

/** The report for people: the window and source, a table, and why each SLO that did not pass did not. */
export function formatText(file: string, window: SliWindow, source: string, rows: readonly Row[]): string {
  const burnLabels = [...new Set(rows.flatMap((r) => Object.keys(r.evaluation.burnRates)))];
  const header = ['SERVICE', 'SLO', 'SLI', 'OBJECTIVE', 'EVENTS', 'BUDGET USED', ...burnLabels.map((l) => `BURN ${l}`), 'VERDICT'];
  const table = rows.map(({ service, evaluation: e }) => [
    service,
    e.slo.name,
    e.sli === null ? '-' : percent(e.sli),
    percent(e.objective),
    e.events ? String(Math.round(e.events.total)) : '-',
    e.errorBudgetConsumed === null ? '-' : `${(e.errorBudgetConsumed * 100).toFixed(1)}%`,
    ...burnLabels.map((l) => {
      const burn = e.burnRates[l];
      return burn?.burnRate === null || burn === undefined ? '-' : burn.burnRate.toFixed(2);
    }),
    e.verdict,
  ]);
  const notes = rows.filter((r) => r.evaluation.verdict !== 'pass').map((r) => `  ${r.service}/${r.evaluation.slo.name}: ${r.evaluation.reason}\n`);
  return (
    `${file}: ${formatDuration(window.end - window.start)} from ${new Date(window.start).toISOString()} to ${new Date(window.end).toISOString()}, ${source}\n\n` +
    formatTable(header, table) +
    (notes.length > 0 ? `\n${notes.join('')}` : '')
  );
}

function percent(ratio: number): string {
  return `${Number((ratio * 100).toFixed(3))}%`;
}
