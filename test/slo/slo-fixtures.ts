/**
 * @module
 * SLOs for the SLO tests, in the model's shape.
 */
import type { Slo } from '../../src/slo/slo-spec.js';

const noAlert = { disable: true, labels: {}, annotations: {} };

/** An events SLO with the given queries (default: availability of `http_requests_total`, 5xx are errors). */
export function eventsSlo(
  overrides: { errorQuery?: string; totalQuery?: string; objective?: number; name?: string } = {},
): Slo {
  return {
    name: overrides.name ?? 'availability',
    objective: overrides.objective ?? 99,
    labels: {},
    sli: {
      kind: 'events',
      errorQuery: overrides.errorQuery ?? 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
      totalQuery: overrides.totalQuery ?? 'sum(rate(http_requests_total[{{.window}}]))',
    },
    alerting: { labels: {}, annotations: {}, pageAlert: noAlert, ticketAlert: noAlert },
  };
}

/** A raw error-ratio SLO. */
export function rawSlo(errorRatioQuery: string, objective = 99): Slo {
  return { ...eventsSlo({ objective }), sli: { kind: 'raw', errorRatioQuery } };
}
