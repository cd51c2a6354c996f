import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { ManualClock } from '../../src/core/manual-clock.js';
import { PrometheusClient, PrometheusError, singleValue, type PromQueryResult } from '../../src/slo/prometheus-client.js';
import { startPrometheusServer, type PrometheusServer } from '../../src/slo/prometheus-server.js';
import { PrometheusSliSource, pinToWindow, promDuration } from '../../src/slo/prometheus-sli-source.js';
import { startMetricsTarget, type MetricsTarget } from './metrics-target.js';
import { eventsSlo, rawSlo } from './slo-fixtures.js';

type Handler = (url: URL, res: ServerResponse) => void;

/** A loopback fake of Prometheus's query API: each test scripts the answer and reads the requests. */
async function startFakePrometheus(): Promise<{ url: string; requests: URL[]; answer(handler: Handler): void; close(): Promise<void> }> {
  let handler: Handler = (_url, res) => res.end();
  const requests: URL[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(url);
    handler(url, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answer: (h) => {
      handler = h;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(status: number, body: unknown): Handler {
  return (_url, res) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  };
}

const vector = (...values: string[]) => json(200, { status: 'success', data: { resultType: 'vector', result: values.map((v, i) => ({ metric: { i: String(i) }, value: [1700000000.5, v] })) } });

async function rejection(promise: Promise<unknown>): Promise<PrometheusError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PrometheusError);
    return error as PrometheusError;
  }
  throw new Error('expected a rejection');
}

describe('PrometheusClient against a fake API', () => {
  let fake: Awaited<ReturnType<typeof startFakePrometheus>>;
  let client: PrometheusClient;

  beforeAll(async () => {
    fake = await startFakePrometheus();
    client = new PrometheusClient({ url: `${fake.url}/` });
  });
  afterEach(() => {
    fake.requests.length = 0;
  });
  afterAll(() => fake.close());

  it('sends the query, the time in unix seconds and a server-side timeout; parses vectors with NaN and ±Inf', async () => {
    fake.answer(vector('1.5', 'NaN', '+Inf', '-Inf'));
    const result = await client.query('sum(rate(x[5m]))', { time: 1_700_000_000_250 });
    const sent = fake.requests[0]!;
    expect(sent.pathname).toBe('/api/v1/query');
    expect(sent.searchParams.get('query')).toBe('sum(rate(x[5m]))');
    expect(sent.searchParams.get('time')).toBe('1700000000.250');
    expect(sent.searchParams.get('timeout')).toBe('10s');
    expect(result.resultType).toBe('vector');
    const values = result.resultType === 'vector' ? result.samples.map((s) => s.value) : [];
    expect(values[0]).toBe(1.5);
    expect(values[1]).toBeNaN();
    expect(values.slice(2)).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(result.resultType === 'vector' && result.samples[0]).toEqual({ labels: { i: '0' }, timestamp: 1_700_000_000_500, value: 1.5 });
  });

  it('parses scalars, strings, matrices from query_range, and warnings', async () => {
    fake.answer(json(200, { status: 'success', warnings: ['partial'], data: { resultType: 'scalar', result: [1700000000, '0.25'] } }));
    expect(await client.query('scalar(x)')).toEqual({ resultType: 'scalar', sample: { timestamp: 1_700_000_000_000, value: 0.25 }, warnings: ['partial'] });
    fake.answer(json(200, { status: 'success', data: { resultType: 'string', result: [1700000000, 'hi'] } }));
    expect(await client.query('"hi"')).toMatchObject({ resultType: 'string', value: 'hi' });
    fake.answer(json(200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { code: '500' }, values: [[1700000000, '1'], [1700000001, '2']] }] } }));
    const range = await client.queryRange('x', { start: 1_700_000_000_000, end: 1_700_000_001_000, stepMs: 1_000 });
    expect(range).toEqual({
      resultType: 'matrix',
      series: [{ labels: { code: '500' }, points: [{ timestamp: 1_700_000_000_000, value: 1 }, { timestamp: 1_700_000_001_000, value: 2 }] }],
      warnings: [],
    });
    const sent = fake.requests.at(-1)!;
    expect(sent.pathname).toBe('/api/v1/query_range');
    expect([sent.searchParams.get('start'), sent.searchParams.get('end'), sent.searchParams.get('step')]).toEqual(['1700000000.000', '1700000001.000', '1']);
  });

  it('maps 400 bad_data to prometheus.badQuery with Prometheus\'s message', async () => {
    fake.answer(json(400, { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:16: parse error: unclosed left parenthesis' }));
    const error = await rejection(client.query('sum(rate(x[5m])'));
    expect(error).toMatchObject({ code: 'prometheus.badQuery', status: 400, errorType: 'bad_data' });
    expect(error.message).toContain('1:16: parse error: unclosed left parenthesis');
    expect(error.message).toContain('sum(rate(x[5m])');
  });

  it('maps 422 execution to prometheus.execution', async () => {
    fake.answer(json(422, { status: 'error', errorType: 'execution', error: 'vector cannot contain metrics with the same labelset' }));
    const error = await rejection(client.query('x'));
    expect(error).toMatchObject({ code: 'prometheus.execution', status: 422 });
    expect(error.message).toContain('same labelset');
  });

  it('maps 503 to prometheus.unavailable, and a 503 query timeout to prometheus.timeout', async () => {
    fake.answer((_url, res) => {
      res.statusCode = 503;
      res.end('Service Unavailable');
    });
    expect(await rejection(client.query('x'))).toMatchObject({ code: 'prometheus.unavailable', status: 503 });
    fake.answer(json(503, { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' }));
    const timeout = await rejection(client.query('x'));
    expect(timeout).toMatchObject({ code: 'prometheus.timeout', status: 503, errorType: 'timeout' });
    expect(timeout.message).toContain('query timed out in expression evaluation');
  });

  it('maps a proxy\'s non-JSON error page and a malformed body to prometheus.badResponse', async () => {
    fake.answer((_url, res) => {
      res.statusCode = 502;
      res.end('<html>Bad Gateway</html>');
    });
    expect(await rejection(client.query('x'))).toMatchObject({ code: 'prometheus.badResponse', status: 502 });
    fake.answer(json(200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, 'abc'] }] } }));
    expect(await rejection(client.query('x'))).toMatchObject({ code: 'prometheus.badResponse' });
  });

  it('times out with prometheus.timeout, on the injected clock', async () => {
    fake.answer(() => {
      // never answers
    });
    const clock = new ManualClock();
    const slow = new PrometheusClient({ url: fake.url, clock, timeoutMs: 2_000 });
    const pending = rejection(slow.query('x'));
    await clock.advance(2_000);
    const error = await pending;
    expect(error.code).toBe('prometheus.timeout');
    expect(clock.pendingTimers).toBe(0);
    // And with the system clock.
    expect(await rejection(client.query('x', { timeoutMs: 50 }))).toMatchObject({ code: 'prometheus.timeout' });
  });

  it('rejects with the caller\'s reason when the caller aborts', async () => {
    fake.answer(() => {});
    const controller = new AbortController();
    const pending = client.query('x', { signal: controller.signal });
    controller.abort(new Error('experiment aborted'));
    await expect(pending).rejects.toThrow('experiment aborted');
  });

  it('maps a refused connection to prometheus.unreachable', async () => {
    const closed = await startFakePrometheus();
    await closed.close();
    const error = await rejection(new PrometheusClient({ url: closed.url }).query('up'));
    expect(error.code).toBe('prometheus.unreachable');
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('singleValue', () => {
  const v = (...values: number[]): PromQueryResult => ({ resultType: 'vector', samples: values.map((value) => ({ labels: {}, timestamp: 0, value })), warnings: [] });
  it('treats empty, NaN, ±Inf and several series as no data, never as 0', () => {
    expect(singleValue(v(3))).toEqual({ kind: 'value', value: 3 });
    expect(singleValue({ resultType: 'scalar', sample: { timestamp: 0, value: 0 }, warnings: [] })).toEqual({ kind: 'value', value: 0 });
    expect(singleValue(v())).toMatchObject({ kind: 'noData', reason: expect.stringContaining('empty result') });
    expect(singleValue(v(Number.NaN))).toMatchObject({ kind: 'noData', reason: expect.stringContaining('NaN') });
    expect(singleValue(v(Number.POSITIVE_INFINITY))).toMatchObject({ kind: 'noData', reason: expect.stringContaining('+Inf') });
    expect(singleValue(v(1, 2))).toMatchObject({ kind: 'noData', reason: expect.stringContaining('2 series') });
    expect(singleValue({ resultType: 'matrix', series: [], warnings: [] })).toMatchObject({ kind: 'noData' });
  });
});

describe('PrometheusSliSource against a fake API', () => {
  let fake: Awaited<ReturnType<typeof startFakePrometheus>>;
  let source: PrometheusSliSource;
  const window = { start: 1_700_000_000_000, end: 1_700_000_600_000 };

  beforeAll(async () => {
    fake = await startFakePrometheus();
    source = new PrometheusSliSource(new PrometheusClient({ url: fake.url }));
  });
  afterEach(() => {
    fake.requests.length = 0;
  });
  afterAll(() => fake.close());

  /** Answers by whether the query is the error query (contains 5..) or the total. */
  function answers(errors: Handler, total: Handler): void {
    fake.answer((url, res) => (url.searchParams.get('query')!.includes('5..') ? errors(url, res) : total(url, res)));
  }

  it('pins every templated range to the window with @ and queries at its end', async () => {
    expect(promDuration(600_000)).toBe('600s');
    expect(promDuration(1_500)).toBe('1500ms');
    expect(pinToWindow('sum(increase(x{a="[b]"}[{{.window}}])) - sum(rate(y[ {{ .window }} ] offset 1m)) + z[{{.window}}:10s]', window)).toBe(
      'sum(increase(x{a="[b]"}[600s] @ 1700000600.000)) - sum(rate(y[600s] @ 1700000600.000 offset 1m)) + z[600s:10s]',
    );
    answers(vector('0.005'), vector('2'));
    const result = await source.errorRatio(eventsSlo(), window);
    // Rates are per second: the events are the rates times the window's 600 s.
    expect(result).toEqual({ outcome: 'measured', errorRatio: 0.0025, events: { errors: 3, total: 1200 } });
    expect(source.name).toBe(`prometheus ${fake.url}`);
    const queries = fake.requests.map((r) => r.searchParams.get('query')).sort();
    expect(queries).toEqual([
      'sum(rate(http_requests_total[600s] @ 1700000600.000))',
      'sum(rate(http_requests_total{code=~"5.."}[600s] @ 1700000600.000))',
    ]);
    expect(fake.requests.every((r) => r.searchParams.get('time') === '1700000600.000')).toBe(true);
  });

  it('is inconclusive on an empty or NaN total, no events, or NaN errors; an empty error query is 0 errors', async () => {
    const reasonOf = async (errors: Handler, total: Handler) => {
      answers(errors, total);
      const result = await source.errorRatio(eventsSlo(), window);
      return result.outcome === 'inconclusive' ? result.reason : `measured ${result.errorRatio}`;
    };
    expect(await reasonOf(vector('1'), vector())).toBe('total query: the query returned no series (empty result)');
    expect(await reasonOf(vector('1'), vector('NaN'))).toBe('total query: the query returned NaN (0/0: no events)');
    expect(await reasonOf(vector('0'), vector('0'))).toBe('no events in the window (total is 0)');
    expect(await reasonOf(vector('NaN'), vector('10'))).toBe('error query: the query returned NaN (0/0: no events)');
    expect(await reasonOf(vector(), vector('10'))).toBe('measured 0');
    // Counts from increase() are reported as they are.
    fake.answer((url, res) => vector(url.searchParams.get('query')!.includes('5..') ? '4' : '100')(url, res));
    const counted = await source.errorRatio(eventsSlo({ errorQuery: 'sum(increase(x{code=~"5.."}[{{.window}}]))', totalQuery: 'sum(increase(x[{{.window}}]))' }), window);
    expect(counted).toEqual({ outcome: 'measured', errorRatio: 0.04, events: { errors: 4, total: 100 } });
    // Extrapolation can push errors past the total: the ratio stays within 0–1.
    expect(await reasonOf(vector('10.2'), vector('10'))).toBe('measured 1');
  });

  it('reads raw error-ratio SLIs, inconclusive on NaN', async () => {
    fake.answer(vector('0.0125'));
    expect(await source.errorRatio(rawSlo('sum(rate(e[{{.window}}])) / sum(rate(t[{{.window}}]))'), window)).toEqual({ outcome: 'measured', errorRatio: 0.0125 });
    fake.answer(vector('NaN'));
    expect(await source.errorRatio(rawSlo('x'), window)).toMatchObject({ outcome: 'inconclusive' });
  });

  it('answers inconclusive, naming the error, when Prometheus cannot answer', async () => {
    answers(vector('1'), json(400, { status: 'error', errorType: 'bad_data', error: 'parse error: unexpected }' }));
    const result = await source.errorRatio(eventsSlo(), window);
    expect(result.outcome).toBe('inconclusive');
    expect(result.outcome === 'inconclusive' && result.reason).toMatch(/parse error: unexpected \}.*\[prometheus\.badQuery\]/);
    const closed = await startFakePrometheus();
    await closed.close();
    const down = await new PrometheusSliSource(new PrometheusClient({ url: closed.url })).errorRatio(eventsSlo(), window);
    expect(down.outcome === 'inconclusive' && down.reason).toMatch(/\[prometheus\.unreachable\]/);
  });
});

describe('PrometheusClient against a real Prometheus', () => {
  let prometheus: PrometheusServer | undefined;
  let target: MetricsTarget | undefined;

  afterAll(async () => {
    await prometheus?.stop();
    await target?.close();
  });

  it('queries instant vectors and ranges, and gets Prometheus\'s own errors typed', async () => {
    target = await startMetricsTarget({ service: 'api' });
    target.record('200', 7);
    prometheus = await startPrometheusServer({ targets: [{ address: target.address, labels: { zone: 'a' } }], scrapeIntervalMs: 500 });
    await prometheus.waitForTargets({ addresses: [target.address] });
    const client = new PrometheusClient({ url: prometheus.url });

    const up = await client.query('up');
    expect(up.resultType === 'vector' && up.samples[0]!.labels).toMatchObject({ job: 'simian', zone: 'a', instance: target.address.replace('http://', '') });
    expect(singleValue(up)).toEqual({ kind: 'value', value: 1 });
    // honor_labels: the target's own labels (service) are kept as they are.
    const requests = await client.query('sum(http_requests_total{service="api",code="200"})');
    expect(singleValue(requests)).toEqual({ kind: 'value', value: 7 });
    const empty = await client.query('sum(rate(http_requests_total{code="404"}[1m]))');
    expect(singleValue(empty)).toMatchObject({ kind: 'noData' });
    const nan = await client.query('vector(0) / vector(0)');
    expect(singleValue(nan)).toMatchObject({ kind: 'noData', reason: expect.stringContaining('NaN') });

    const now = systemClock.now();
    const range = await client.queryRange('up', { start: now - 5_000, end: now, stepMs: 1_000 });
    expect(range.resultType).toBe('matrix');
    expect(range.resultType === 'matrix' && range.series[0]!.points.length).toBeGreaterThan(0);

    const bad = await rejection(client.query('sum(rate(up[5m])'));
    expect(bad.code).toBe('prometheus.badQuery');
    expect(bad.message).toContain('unclosed left parenthesis');
    // Functions drop the metric name: two series of one target collide.
    const duplicate = await rejection(client.query('max_over_time({__name__=~"up|scrape_samples_scraped"}[1m])'));
    expect(duplicate).toMatchObject({ code: 'prometheus.execution', status: 422 });
    expect(duplicate.message).toContain('same labelset');
  }, 40_000);
});
