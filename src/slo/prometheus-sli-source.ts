/**
 * @module
 * SLIs from a Prometheus server, over exactly the window asked for.
 *
 * How the window is pinned: `{{.window}}` becomes the window's length (`600s`), every range written as
 * `[{{.window}}]` also gets `@ <end>` (`x[600s] @ 1700000600.000`), and the query is sent with `time=<end>`. Either
 * alone would cover `[end − length, end]`; `@` keeps the authored ranges pinned even inside constructs that shift
 * evaluation time, and `time` pins everything else (a range the author wrote literally, `vector(0)`). So a verdict
 * computed an hour after an experiment scores the experiment, not the last hour.
 */
import { PrometheusError, singleValue, type PrometheusClient, type PromQueryResult } from './prometheus-client.js';
import type { SliResult, SliSource, SliWindow } from './sli-source.js';
import type { Slo } from './slo-spec.js';

/** A PromQL duration for `ms`: whole seconds when it divides (`600s`), else milliseconds (`1500ms`). */
export function promDuration(ms: number): string {
  const rounded = Math.max(1, Math.round(ms));
  return rounded % 1000 === 0 ? `${rounded / 1000}s` : `${rounded}ms`;
}

/**
 * `query` with its window placeholder replaced by the window's length, and each `[{{.window}}]` range pinned to the
 * window's end with the `@` modifier.
 *
 * @example
 * pinToWindow('sum(increase(x[{{.window}}]))', { start: 1_700_000_000_000, end: 1_700_000_600_000 });
 * // 'sum(increase(x[600s] @ 1700000600.000))'
 */
export function pinToWindow(query: string, window: SliWindow): string {
  const range = promDuration(window.end - window.start);
  const at = (window.end / 1000).toFixed(3);
  return query.replace(/\[\s*\{\{\s*\.window\s*\}\}\s*\]/g, `[${range}] @ ${at}`).replace(/\{\{\s*\.window\s*\}\}/g, range);
}

/**
 * A {@link SliSource} that asks Prometheus. Missing data (an empty total, NaN, no events) and a Prometheus that
 * cannot answer are inconclusive, with the reason; an empty *error* query with events in the total counts as zero
 * errors, deliberately (`or vector(0)` on the numerator only): error series that were never created mean no errors.
 *
 * @example
 * const source = new PrometheusSliSource(new PrometheusClient({ url: 'http://127.0.0.1:9090' }));
 * await source.errorRatio(slo, { start, end });
 */
export class PrometheusSliSource implements SliSource {
  readonly name: string;

  constructor(private readonly client: PrometheusClient) {
    this.name = `prometheus ${client.url}`;
  }

  async errorRatio(slo: Slo, window: SliWindow, signal?: AbortSignal): Promise<SliResult> {
    if (!(window.end > window.start)) return { outcome: 'inconclusive', reason: 'the window is empty' };
    try {
      if (slo.sli.kind === 'raw') {
        const reading = singleValue(await this.query(slo.sli.errorRatioQuery, window, signal));
        if (reading.kind === 'noData') return { outcome: 'inconclusive', reason: `error ratio query: ${reading.reason}` };
        if (reading.value < 0) return { outcome: 'inconclusive', reason: `error ratio query returned ${reading.value}, below 0` };
        return { outcome: 'measured', errorRatio: Math.min(1, reading.value) };
      }
      const [errorsResult, totalResult] = await Promise.all([
        this.query(slo.sli.errorQuery, window, signal),
        this.query(slo.sli.totalQuery, window, signal),
      ]);
      const total = singleValue(totalResult);
      if (total.kind === 'noData') return { outcome: 'inconclusive', reason: `total query: ${total.reason}` };
      if (!(total.value > 0)) return { outcome: 'inconclusive', reason: 'no events in the window (total is 0)' };
      const errors = isEmptyVector(errorsResult) ? { kind: 'value' as const, value: 0 } : singleValue(errorsResult);
      if (errors.kind === 'noData') return { outcome: 'inconclusive', reason: `error query: ${errors.reason}` };
      // rate()/increase() extrapolate per series, so a difference of terms can dip just below 0 or errors exceed total.
      const errorValue = Math.max(0, errors.value);
      const seconds = (window.end - window.start) / 1000;
      const errorsPer = eventsPerUnit(slo.sli.errorQuery, seconds);
      const totalPer = eventsPerUnit(slo.sli.totalQuery, seconds);
      return {
        outcome: 'measured',
        errorRatio: Math.min(1, errorValue / total.value),
        // Counts only when both queries say what unit they are in (rates are per second of the window).
        ...(errorsPer !== undefined && totalPer !== undefined ? { events: { errors: errorValue * errorsPer, total: total.value * totalPer } } : {}),
      };
    } catch (error) {
      // Whatever went wrong with Prometheus (down, slow, or a query it rejects), the verdict cannot be a pass.
      if (error instanceof PrometheusError) return { outcome: 'inconclusive', reason: `${error.message} [${error.code}]` };
      throw error;
    }
  }

  private query(query: string, window: SliWindow, signal: AbortSignal | undefined): Promise<PromQueryResult> {
    return this.client.query(pinToWindow(query, window), { time: window.end, ...(signal ? { signal } : {}) });
  }
}

/**
 * What one unit of a query's value is in events: `seconds` for a rate, 1 for an increase, undefined when the query
 * mixes both or uses neither (its value is then not a count, and none is reported).
 */
function eventsPerUnit(query: string, seconds: number): number | undefined {
  const rate = /\brate\s*\(/.test(query);
  const increase = /\bincrease\s*\(/.test(query);
  if (rate === increase) return undefined;
  return rate ? seconds : 1;
}

function isEmptyVector(result: PromQueryResult): boolean {
  return result.resultType === 'vector' && result.samples.length === 0;
}
