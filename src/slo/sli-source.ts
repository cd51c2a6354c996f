/**
 * @module
 * Where SLI values come from: a Prometheus server (PromQL over the exact window) or direct scrapes of the targets'
 * `/metrics` (the embedded default). Both answer the same question, and both may answer "cannot tell": missing
 * data is inconclusive, never a pass.
 */
import type { Slo } from './slo-spec.js';

/** A closed time window, epoch milliseconds. */
export interface SliWindow {
  readonly start: number;
  readonly end: number;
}

/** What a source measured for one SLO over one window. */
export type SliResult =
  | {
      readonly outcome: 'measured';
      /** Bad events over all events, 0–1. */
      readonly errorRatio: number;
      /** The event counts behind the ratio, when the source knows them. */
      readonly events?: { readonly errors: number; readonly total: number };
    }
  | { readonly outcome: 'inconclusive'; readonly reason: string };

/** A source of SLI values. Implementations never throw for missing data: they answer `inconclusive`. */
export interface SliSource {
  /** A name for reports (`prometheus http://127.0.0.1:9090`, `direct scrapes`). */
  readonly name: string;
  errorRatio(slo: Slo, window: SliWindow, signal?: AbortSignal): Promise<SliResult>;
}
