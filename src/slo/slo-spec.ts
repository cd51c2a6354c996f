/**
 * @module
 * The SLO model, in the shape of sloth's `prometheus/v1` spec (service, slos[], objective, `sli.events` with
 * `{{.window}}` in the queries), so that users' existing files and habits carry over. Parsers (sloth YAML,
 * OpenSLO) produce it; rule generation, `simian slo check` and the experiment runner read it.
 */

/** Labels or annotations: name → value. */
export type LabelSet = Readonly<Record<string, string>>;

/**
 * How an SLI is measured: as two event counts (errors over total, sloth's `sli.events`), or as a ready-made error
 * ratio (sloth's `sli.raw.error_ratio_query`). Queries contain the `{{.window}}` placeholder where the range goes.
 */
export type SliDefinition =
  | { readonly kind: 'events'; readonly errorQuery: string; readonly totalQuery: string }
  | { readonly kind: 'raw'; readonly errorRatioQuery: string };

/** One alert of the multiwindow multi-burn-rate pair (sloth's `page_alert` / `ticket_alert`). */
export interface AlertSpec {
  readonly disable: boolean;
  readonly labels: LabelSet;
  readonly annotations: LabelSet;
}

/** Sloth's `alerting` block. */
export interface AlertingSpec {
  /** The alert name; sloth requires one unless both alerts are disabled. */
  readonly name?: string;
  readonly labels: LabelSet;
  readonly annotations: LabelSet;
  readonly pageAlert: AlertSpec;
  readonly ticketAlert: AlertSpec;
}

/** One service level objective. */
export interface Slo {
  readonly name: string;
  /** The target, in percent: 99.9 means 99.9% of events are good. */
  readonly objective: number;
  readonly description?: string;
  readonly labels: LabelSet;
  readonly sli: SliDefinition;
  readonly alerting: AlertingSpec;
}

/** A file of SLOs for one service (sloth's document). */
export interface SloSpec {
  readonly service: string;
  readonly labels: LabelSet;
  readonly slos: readonly Slo[];
}

/** The error budget as a ratio: 99.9% → 0.001. */
export function errorBudget(slo: Pick<Slo, 'objective'>): number {
  return 1 - slo.objective / 100;
}

/** A query with its `{{.window}}` placeholder replaced by a PromQL range (`5m`, `1h`). */
export function withWindow(query: string, window: string): string {
  return query.replace(/\{\{\s*\.window\s*\}\}/g, window);
}
