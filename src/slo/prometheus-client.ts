/**
 * @module
 * A client for Prometheus's HTTP query API (`GET /api/v1/query` with `time`, `GET /api/v1/query_range`).
 *
 * Every failure is a {@link PrometheusError} with a stable code, so that callers can tell "the query is wrong"
 * (`prometheus.badQuery`, `prometheus.execution`) from "we cannot see right now" (`prometheus.unavailable`,
 * `prometheus.timeout`, `prometheus.unreachable`, `prometheus.badResponse`). Values keep NaN and ±Inf, and an empty
 * vector stays empty: {@link singleValue} turns those into "no data" with a reason instead of a number.
 */
import { systemClock, type Clock } from '../core/clock.js';
import { SimianError } from '../core/errors.js';

/** One sample: a timestamp (epoch milliseconds) and a value, which may be NaN or ±Infinity. */
export interface PromPoint {
  readonly timestamp: number;
  readonly value: number;
}

/** A series of an instant vector. */
export interface PromVectorSample extends PromPoint {
  readonly labels: Readonly<Record<string, string>>;
}

/** A series of a range query. */
export interface PromMatrixSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly points: readonly PromPoint[];
}

/** What a query returned; `warnings` are Prometheus's own (partial data and the like). */
export type PromQueryResult = (
  | { readonly resultType: 'vector'; readonly samples: readonly PromVectorSample[] }
  | { readonly resultType: 'scalar'; readonly sample: PromPoint }
  | { readonly resultType: 'string'; readonly timestamp: number; readonly value: string }
  | { readonly resultType: 'matrix'; readonly series: readonly PromMatrixSeries[] }
) & { readonly warnings: readonly string[] };

/** Codes of {@link PrometheusError}. */
export type PrometheusErrorCode =
  | 'prometheus.badQuery'
  | 'prometheus.execution'
  | 'prometheus.unavailable'
  | 'prometheus.timeout'
  | 'prometheus.unreachable'
  | 'prometheus.badResponse';

/** A failed call to Prometheus. */
export class PrometheusError extends SimianError {
  declare readonly code: PrometheusErrorCode;

  constructor(
    code: PrometheusErrorCode,
    message: string,
    /** The HTTP status, when there was a response. */
    readonly status?: number,
    /** Prometheus's `errorType` (`bad_data`, `execution`, `timeout`, …), when the body said. */
    readonly errorType?: string,
    options: { cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}

/** Options of {@link PrometheusClient}. */
export interface PrometheusClientOptions {
  /** The server, e.g. `http://127.0.0.1:9090` (a path prefix is kept). */
  readonly url: string;
  /** How long one call may take before it fails with `prometheus.timeout`. @default 10_000 */
  readonly timeoutMs?: number;
  /** Times the timeout. @default the system clock */
  readonly clock?: Clock;
  /** The fetch to use. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Per-call options. */
export interface PromCallOptions {
  /** Aborting rejects the call with the signal's reason (not a PrometheusError: the caller asked). */
  readonly signal?: AbortSignal;
  /** Overrides the client's timeout for this call. */
  readonly timeoutMs?: number;
}

/**
 * A Prometheus HTTP API client.
 *
 * @example
 * const prom = new PrometheusClient({ url: 'http://127.0.0.1:9090' });
 * const result = await prom.query('sum(increase(http_requests_total[600s] @ 1700000600))', { time: 1_700_000_600_000 });
 * const reading = singleValue(result); // { kind: 'value', value: 1234 } or { kind: 'noData', reason }
 */
export class PrometheusClient {
  /** The server's base URL, without a trailing slash. */
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly fetchImpl: typeof fetch;

  constructor(options: PrometheusClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.clock = options.clock ?? systemClock;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  /** An instant query, evaluated at `time` (epoch milliseconds; default: the server's now). */
  query(expr: string, options: PromCallOptions & { readonly time?: number } = {}): Promise<PromQueryResult> {
    const params = new URLSearchParams({ query: expr });
    if (options.time !== undefined) params.set('time', toPromTime(options.time));
    return this.call('/api/v1/query', params, expr, options);
  }

  /** A range query from `start` to `end` (epoch milliseconds) every `stepMs`. */
  queryRange(
    expr: string,
    options: PromCallOptions & { readonly start: number; readonly end: number; readonly stepMs: number },
  ): Promise<PromQueryResult> {
    const params = new URLSearchParams({
      query: expr,
      start: toPromTime(options.start),
      end: toPromTime(options.end),
      step: `${options.stepMs / 1000}`,
    });
    return this.call('/api/v1/query_range', params, expr, options);
  }

  private async call(path: string, params: URLSearchParams, expr: string, options: PromCallOptions): Promise<PromQueryResult> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    // Ask the server to give up too, so a slow query does not keep running after we stopped waiting.
    params.set('timeout', `${Math.max(1, Math.ceil(timeoutMs / 1000))}s`);
    const url = `${this.url}${path}?${params.toString()}`;
    const controller = new AbortController();
    let timedOut = false;
    const timer = this.clock.setTimer(
      () => {
        timedOut = true;
        controller.abort(new PrometheusError('prometheus.timeout', `Prometheus did not answer within ${timeoutMs} ms: ${expr}`));
      },
      timeoutMs,
      { keepAlive: false },
    );
    const onAbort = (): void => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let response: Response;
      let text: string;
      try {
        response = await this.fetchImpl(url, { signal: controller.signal, headers: { accept: 'application/json' } });
        text = await response.text();
      } catch (error) {
        if (timedOut) throw controller.signal.reason as PrometheusError;
        if (options.signal?.aborted) throw options.signal.reason;
        throw networkError(this.url, error);
      }
      return parseEnvelope(response.status, text, expr);
    } finally {
      timer.cancel();
      options.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** Prometheus takes unix seconds; milliseconds survive as a decimal fraction. */
function toPromTime(epochMs: number): string {
  return (epochMs / 1000).toFixed(3);
}

function networkError(url: string, error: unknown): PrometheusError {
  // undici reports a refused or reset connection as TypeError('fetch failed') with the system error as its cause.
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new PrometheusError('prometheus.unreachable', `cannot reach Prometheus at ${url} (${detail})`, undefined, undefined, { cause: error });
}

interface Envelope {
  status?: unknown;
  data?: { resultType?: unknown; result?: unknown };
  errorType?: unknown;
  error?: unknown;
  warnings?: unknown;
}

/** Maps a response to a result or a typed error; bodies that are not Prometheus JSON come from proxies. */
function parseEnvelope(status: number, text: string, expr: string): PromQueryResult {
  let body: Envelope | undefined;
  try {
    body = JSON.parse(text) as Envelope;
  } catch {
    body = undefined;
  }
  const errorType = typeof body?.errorType === 'string' ? body.errorType : undefined;
  const message = typeof body?.error === 'string' ? body.error : text.trim().slice(0, 200) || `HTTP ${status}`;
  if (status !== 200 || body?.status !== 'success') {
    if (status === 400 || errorType === 'bad_data') {
      throw new PrometheusError('prometheus.badQuery', `Prometheus rejected the query: ${message}: ${expr}`, status, errorType);
    }
    if (status === 422 || errorType === 'execution') {
      throw new PrometheusError('prometheus.execution', `Prometheus could not execute the query: ${message}: ${expr}`, status, errorType);
    }
    // A 503 with errorType "timeout" is the server's own query timeout: still "could not see", but named for what it is.
    if (errorType === 'timeout') throw new PrometheusError('prometheus.timeout', `Prometheus timed out evaluating the query: ${message}: ${expr}`, status, errorType);
    if (status === 503 || errorType === 'unavailable') {
      throw new PrometheusError('prometheus.unavailable', `Prometheus is unavailable: ${message}`, status, errorType);
    }
    throw new PrometheusError('prometheus.badResponse', `Prometheus answered HTTP ${status}: ${message}`, status, errorType);
  }
  const warnings = Array.isArray(body.warnings) ? body.warnings.map(String) : [];
  const data = body.data;
  try {
    switch (data?.resultType) {
      case 'vector':
        return { resultType: 'vector', samples: asArray(data.result).map(vectorSample), warnings };
      case 'scalar':
        return { resultType: 'scalar', sample: point(data.result), warnings };
      case 'string': {
        const [ts, value] = asArray(data.result);
        return { resultType: 'string', timestamp: Number(ts) * 1000, value: String(value), warnings };
      }
      case 'matrix':
        return { resultType: 'matrix', series: asArray(data.result).map(matrixSeries), warnings };
    }
  } catch (error) {
    throw new PrometheusError('prometheus.badResponse', `Prometheus answered a malformed result: ${(error as Error).message}`, status, undefined, { cause: error });
  }
  throw new PrometheusError('prometheus.badResponse', `Prometheus answered an unknown result type ${String(data?.resultType)}`, status);
}

function asArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new Error('expected an array');
  return value;
}

function labelsOf(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) throw new Error('expected a label set');
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/** `[ts, "value"]`: values are strings so that NaN and ±Inf survive JSON. */
function point(value: unknown): PromPoint {
  const [ts, v] = asArray(value);
  return { timestamp: Number(ts) * 1000, value: parsePromValue(v) };
}

function vectorSample(value: unknown): PromVectorSample {
  const item = value as { metric?: unknown; value?: unknown };
  return { labels: labelsOf(item.metric ?? {}), ...point(item.value) };
}

function matrixSeries(value: unknown): PromMatrixSeries {
  const item = value as { metric?: unknown; values?: unknown };
  return { labels: labelsOf(item.metric ?? {}), points: asArray(item.values ?? []).map(point) };
}

/** Parses a sample value string, including `NaN`, `+Inf` and `-Inf`. */
export function parsePromValue(value: unknown): number {
  if (value === 'NaN') return Number.NaN;
  if (value === '+Inf' || value === 'Inf') return Number.POSITIVE_INFINITY;
  if (value === '-Inf') return Number.NEGATIVE_INFINITY;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (Number.isNaN(n)) throw new Error(`bad sample value ${JSON.stringify(value)}`);
  return n;
}

/** One number read from a result, or why there is none. */
export type SingleValue = { readonly kind: 'value'; readonly value: number } | { readonly kind: 'noData'; readonly reason: string };

/**
 * Reads the single number of an instant query that aggregates to one series (`sum(…)`) or a scalar. An empty
 * vector, NaN, ±Inf and several series are all "no data" with a reason: a caller must not mistake them for 0.
 */
export function singleValue(result: PromQueryResult): SingleValue {
  let value: number;
  if (result.resultType === 'scalar') {
    value = result.sample.value;
  } else if (result.resultType === 'vector') {
    if (result.samples.length === 0) return { kind: 'noData', reason: 'the query returned no series (empty result)' };
    if (result.samples.length > 1) return { kind: 'noData', reason: `the query returned ${result.samples.length} series where one was expected (aggregate with sum)` };
    value = result.samples[0]!.value;
  } else {
    return { kind: 'noData', reason: `the query returned a ${result.resultType} where a number was expected` };
  }
  if (Number.isNaN(value)) return { kind: 'noData', reason: 'the query returned NaN (0/0: no events)' };
  if (!Number.isFinite(value)) return { kind: 'noData', reason: `the query returned ${value > 0 ? '+Inf' : '-Inf'}` };
  return { kind: 'value', value };
}
