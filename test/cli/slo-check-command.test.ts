import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sloCheckSubcommand } from '../../src/cli/commands/slo-check.js';
import { createProgram } from '../../src/cli/program.js';
import { isSimianError } from '../../src/core/errors.js';
import { writeStackState } from '../../src/reference-stack/stack/stack-state.js';
import { startMetricsTarget, type MetricsTarget } from '../slo/metrics-target.js';

const SLO_FILE = `version: prometheus/v1
service: api
slos:
  - name: availability
    objective: 99
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="reference-stack",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{job="reference-stack"}[{{.window}}]))
    alerting:
      page_alert: {disable: true}
      ticket_alert: {disable: true}
  - name: ratio
    objective: 99.9
    sli:
      raw:
        error_ratio_query: sum(rate(errors_total[{{.window}}])) / sum(rate(requests_total[{{.window}}]))
    alerting:
      page_alert: {disable: true}
      ticket_alert: {disable: true}
`;

/** Runs `simian slo check …` in-process; returns the output and the exit code the CLI would use. */
async function sloCheck(args: string[]): Promise<{ out: string; err: string; exitCode: number; error: unknown }> {
  let out = '';
  let err = '';
  const program = createProgram({ version: '0.0.0', writeOut: (t) => (out += t), writeErr: (t) => (err += t) }, [
    (deps) => new Command('slo').addCommand(sloCheckSubcommand(deps)),
  ]);
  let error: unknown;
  try {
    await program.parseAsync(['slo', 'check', ...args], { from: 'user' });
  } catch (e) {
    error = e;
  }
  return { out, err, exitCode: error === undefined ? 0 : isSimianError(error) ? error.exitCode : -1, error };
}

describe('simian slo check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simian-slo-check-'));
  const file = join(dir, 'slos.yaml');
  writeFileSync(file, SLO_FILE);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('--prometheus', () => {
    let prometheus: Server;
    let url: string;
    /** The value the fake Prometheus answers, by query. */
    let answer: (query: string) => string | undefined;
    const queries: URLSearchParams[] = [];

    beforeAll(async () => {
      prometheus = createServer((req, res) => {
        const params = new URL(req.url ?? '/', 'http://x').searchParams;
        queries.push(params);
        const value = answer(params.get('query') ?? '');
        const result = value === undefined ? [] : [{ metric: {}, value: [1, value] }];
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
      });
      await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`;
    });
    afterEach(() => {
      queries.length = 0;
    });
    afterAll(() => new Promise<void>((resolve) => prometheus.close(() => resolve())));

    it('prints SLI, objective, budget used, burn rates and verdicts, and exits 0 when every SLO passes', async () => {
      answer = (q) => (q.includes('errors_total') ? '0.0005' : q.includes('5..') ? '0.05' : '10');
      const { out, exitCode } = await sloCheck([file, '--prometheus', url, '--window', '30m']);
      expect(exitCode).toBe(0);
      expect(out).toMatch(/^.*slos\.yaml: 30m from .* to .*, prometheus http:\/\/127\.0\.0\.1:\d+\n/);
      expect(out).toContain('SERVICE  SLO           SLI     OBJECTIVE  EVENTS  BUDGET USED  BURN 5m  BURN 1h  VERDICT');
      expect(out).toMatch(/\napi +availability +99\.5% +99% +18000 +50\.0% +0\.50 +0\.50 +pass\n/);
      expect(out).toMatch(/\napi +ratio +99\.95% +99\.9% +- +50\.0% +0\.50 +0\.50 +pass\n/);
      // The window is the 30 minutes ending now: every range is 1800 s, pinned with @ to the time the query asks about.
      const main = queries.filter((q) => q.get('query')!.includes('[1800s] @ '));
      expect(main).toHaveLength(3);
      for (const q of main) expect(q.get('query')).toContain(`@ ${q.get('time')}`);
      expect(queries.some((q) => q.get('query')!.includes('[300s] @ '))).toBe(true);
    });

    it("without --prometheus, judges a running stack by the stack's own Prometheus, found through simian.yaml's stateDir", async () => {
      answer = (q) => (q.includes('errors_total') ? '0.0005' : q.includes('5..') ? '0.05' : '10');
      const cwd = join(dir, 'project');
      mkdirSync(cwd, { recursive: true });
      writeFileSync(join(cwd, 'simian.yaml'), 'stateDir: state-elsewhere\n');
      // This test's own process plays the stack's: alive, and it has a Prometheus.
      writeStackState(join(cwd, 'state-elsewhere'), { pid: process.pid, topology: 'small', frontDoorUrl: undefined, toxiproxyUrl: 'http://127.0.0.1:9', adminUrl: 'http://127.0.0.1:9', prometheusUrl: url, startedAt: 0 });
      const { out, exitCode } = await sloCheck([file, '--config', join(cwd, 'simian.yaml'), '--window', '30m']);
      expect(exitCode).toBe(0);
      expect(out).toContain(`prometheus ${url}`);
      expect(queries.some((q) => q.get('query')!.includes('[1800s] @ '))).toBe(true);
    });

    it('exits 1 when an SLO fails, and prints JSON for scripts', async () => {
      answer = (q) => (q.includes('errors_total') ? '0' : q.includes('5..') ? '1' : '10');
      const { out, exitCode, error } = await sloCheck([file, '--prometheus', url, '--json']);
      expect(exitCode).toBe(1);
      expect((error as Error).message).toBe('1 of 2 SLOs failed');
      const report = JSON.parse(out) as { window: { durationMs: number }; slos: { service: string; slo: string; verdict: string; errorBudgetConsumed: number; burnRates: Record<string, { burnRate: number }> }[] };
      expect(report.window.durationMs).toBe(600_000);
      expect(report.slos.map((s) => [s.service, s.slo, s.verdict])).toEqual([
        ['api', 'availability', 'fail'],
        ['api', 'ratio', 'pass'],
      ]);
      expect(report.slos[0]!.errorBudgetConsumed).toBeCloseTo(10, 9);
      expect(report.slos[0]!.burnRates['5m']!.burnRate).toBeCloseTo(10, 9);
    });

    it('exits 3 when nothing failed but something was inconclusive, saying why', async () => {
      answer = (q) => (q.includes('errors_total') ? '0' : undefined);
      const { out, exitCode } = await sloCheck([file, '--prometheus', url]);
      expect(exitCode).toBe(3);
      expect(out).toContain('api/availability: total query: the query returned no series (empty result)');
      expect(out).toMatch(/availability +- +99% +- +- +- +- +inconclusive/);
    });

    it('refuses a bad file with exit code 2 before querying anything', async () => {
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'version: prometheus/v1\nservice: api\nslos:\n  - name: x\n    objective: 120\n');
      const { exitCode } = await sloCheck([bad, '--prometheus', url]);
      expect(exitCode).toBe(2);
      expect(queries).toHaveLength(0);
    });
  });

  describe('direct scrapes of the running stack', () => {
    let targets: MetricsTarget[] = [];
    let admin: Server | undefined;
    let driver: ReturnType<typeof setInterval> | undefined;

    afterEach(async () => {
      clearInterval(driver);
      await Promise.all(targets.map((t) => t.close()));
      targets = [];
      await new Promise<void>((resolve) => (admin ? admin.close(() => resolve()) : resolve()));
    });

    it('samples the stack\'s instances from its inventory across the window, with progress on stderr', async () => {
      targets = await Promise.all([startMetricsTarget({ service: 'api' }), startMetricsTarget({ service: 'api' })]);
      const instances = targets.map((t, i) => ({ id: `api-${i}`, service: 'api', region: 'r', zone: 'z', state: 'running', pid: 1, address: t.address, publicAddress: t.address, launchedAt: 0, restarts: 0 }));
      admin = createServer((_req, res) => res.end(JSON.stringify({ instances })));
      await new Promise<void>((resolve) => admin!.listen(0, '127.0.0.1', resolve));
      const stateDir = join(dir, 'state');
      writeStackState(stateDir, { pid: process.pid, topology: 'small', frontDoorUrl: undefined, toxiproxyUrl: 'http://127.0.0.1:9', adminUrl: `http://127.0.0.1:${(admin.address() as AddressInfo).port}`, startedAt: 0 });
      let ticks = 0;
      driver = setInterval(() => {
        if (++ticks > 500) return clearInterval(driver);
        targets[0]!.record('200', 199);
        targets[1]!.record('500', 1);
      }, 10);

      const { out, err, exitCode } = await sloCheck([file, '--window', '2s', '--state-dir', stateDir, '--json']);
      expect(err).toContain('watching the stack for 2s');
      const report = JSON.parse(out) as { source: string; slos: { slo: string; verdict: string; errorRatio: number | null; reason: string }[] };
      expect(report.source).toBe('direct scrapes');
      const availability = report.slos.find((s) => s.slo === 'availability')!;
      expect(availability.verdict).toBe('pass');
      expect(availability.errorRatio).toBeCloseTo(0.005, 3);
      // A raw ratio needs PromQL beyond the subset: inconclusive, so the command exits 3.
      expect(report.slos.find((s) => s.slo === 'ratio')).toMatchObject({ verdict: 'inconclusive', reason: expect.stringContaining('needs Prometheus') });
      expect(exitCode).toBe(3);
    });

    it('says so when no stack is running', async () => {
      const { exitCode, error } = await sloCheck([file, '--window', '1s', '--state-dir', join(dir, 'nowhere')]);
      expect(exitCode).toBe(1);
      expect((error as Error).message).toContain('no stack is running');
    });
  });
});
