import { describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../src/core/clock.js';
import { ManualClock } from '../../src/core/manual-clock.js';
import type { Activity } from '../../src/runner/experiment.js';
import { execFileProcess, runActivity, type ActivityContext } from '../../src/runner/probes.js';
import { fakeFetch } from './harness.js';

const http = (spec: Partial<Extract<Activity, { kind: 'http' }>['http']> = {}): Activity => ({
  kind: 'http',
  name: 'probe',
  http: { url: '${base}/health', method: 'GET', headers: {}, timeoutMs: 1000, ...spec },
});

describe('runActivity', () => {
  const context = (fetchFn: typeof fetch, clock: Clock = new ManualClock()): ActivityContext => ({
    clock,
    variables: { base: 'http://svc' },
    fetch: fetchFn,
    runProcess: execFileProcess,
    baseDir: process.cwd(),
  });

  it('substitutes variables and passes on an accepted status and body', async () => {
    const web = fakeFetch({ 'http://svc/health': () => new Response('{"status":"ok"}', { status: 200 }) });
    const result = await runActivity(http({ status: [[200, 299]], bodyContains: '"ok"', bodyMatches: 'status' }), context(web.fetch));
    expect(result).toMatchObject({ ok: true, status: 200, detail: 'GET http://svc/health: status 200' });
  });

  it('fails on a status outside the tolerance, a body without the text, and a refused connection', async () => {
    const web = fakeFetch({ 'http://svc/health': () => new Response('down', { status: 503 }) });
    // Without a status, anything from 100 to 399 passes: a 5xx never does.
    expect(await runActivity(http(), context(web.fetch))).toMatchObject({ ok: false, status: 503, detail: 'GET http://svc/health: status 503, expected 100-399' });
    expect(await runActivity(http({ status: [[200, 200]] }), context(web.fetch))).toMatchObject({ ok: false, detail: 'GET http://svc/health: status 503, expected 200' });
    expect(await runActivity(http({ status: [[503, 503]], bodyContains: 'up' }), context(web.fetch))).toMatchObject({ ok: false, detail: expect.stringContaining('does not contain "up"') });
    expect(await runActivity(http({ url: 'http://other/x' }), context(web.fetch))).toMatchObject({ ok: false, detail: expect.stringContaining('connection refused') });
  });

  it('times out on the injected clock', async () => {
    const clock = new ManualClock();
    const hanging = ((_url: string, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)))) as typeof fetch;
    const pending = runActivity(http({ timeoutMs: 2000 }), context(hanging, clock));
    await clock.advance(2000);
    expect(await pending).toMatchObject({ ok: false, detail: 'GET http://svc/health: no answer within 2000 ms', durationMs: 2000 });
  });

  it('runs a process without a shell and judges its exit code and stdout', async () => {
    const ctx = context(fakeFetch({}).fetch, systemClock);
    const node = (script: string, extra: Partial<Extract<Activity, { kind: 'process' }>['process']> = {}): Activity => ({
      kind: 'process',
      name: 'node',
      process: { path: process.execPath, arguments: ['-e', script, '${base}'], timeoutMs: 10_000, exitCode: [[0, 0]], ...extra },
    });
    expect(await runActivity(node('console.log(process.argv[1])', { stdoutContains: 'http://svc' }), ctx)).toMatchObject({ ok: true, exitCode: 0 });
    expect(await runActivity(node('process.exit(3)'), ctx)).toMatchObject({ ok: false, exitCode: 3, detail: expect.stringContaining('exit code 3, expected 0') });
    expect(await runActivity(node('process.exit(3)', { exitCode: [[1, 5]] }), ctx)).toMatchObject({ ok: true });
    expect(await runActivity(node('setTimeout(() => {}, 60000)', { timeoutMs: 200 }), ctx)).toMatchObject({ ok: false, detail: expect.stringContaining('killed after 200 ms') });
    expect(await runActivity({ kind: 'process', name: 'x', process: { path: '/nonexistent/program', arguments: [], timeoutMs: 1000, exitCode: [[0, 0]] } }, ctx)).toMatchObject({
      ok: false,
      detail: expect.stringContaining('cannot run'),
    });
  });
});
