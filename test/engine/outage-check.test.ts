/**
 * Issue 9 item 5 against a real Prometheus: the outage check of simian.yaml reads the SLOs of its file and the
 * firing alerts, sees an SLO burning and an alert firing as outages, and cannot tell (so skips) when Prometheus is
 * down. On the main this issue was filed against, simian.yaml had no outage check and every caller got the no-op.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outageCheckFor } from '../../src/engine/outage-check.js';
import { parseConfig } from '../../src/config/load-config.js';
import { systemClock } from '../../src/core/clock.js';
import { PrometheusClient, singleValue } from '../../src/slo/prometheus-client.js';
import { startPrometheusServer, type PrometheusServer } from '../../src/slo/prometheus-server.js';
import { killAll, waitUntil } from '../support/processes.js';
import { startMetricsTarget, type MetricsTarget } from '../slo/metrics-target.js';

const SLOS = `version: prometheus/v1
service: api
slos:
  - name: api-availability
    objective: 99
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
    alerting: { page_alert: { disable: true }, ticket_alert: { disable: true } }
`;

const RULES = `groups:
  - name: test
    rules:
      - alert: AlwaysPaging
        expr: vector(1)
        labels: { severity: page }
`;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the outage check of simian.yaml, against a real Prometheus', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simian-outage-'));
  let target: MetricsTarget;
  let prometheus: PrometheusServer;
  const config = (outageCheck: string) => parseConfig(`stateDir: ${join(dir, 'state')}\noutageCheck:\n${outageCheck}`, { baseDir: dir });

  beforeAll(async () => {
    writeFileSync(join(dir, 'slos.yaml'), SLOS);
    writeFileSync(join(dir, 'rules.yaml'), RULES);
    target = await startMetricsTarget({ service: 'api', instance: 'api-0' });
    prometheus = await startPrometheusServer({ targets: [{ address: target.address }], scrapeIntervalMs: 500, ruleFiles: [join(dir, 'rules.yaml')] });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    killAll([prometheus?.pid]);
    await target?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is clear while the SLO holds, an outage once it burns, and names the SLO', async () => {
    const wiring = await outageCheckFor({ clock: systemClock }, config(`  slos: slos.yaml\n  window: 10s\n  prometheus: ${prometheus.url}\n`));
    expect(wiring.source).toBe(`prometheus ${prometheus.url}`);
    const client = new PrometheusClient({ url: prometheus.url });
    const rate = async (code: string) => singleValue(await client.query(`sum(rate(http_requests_total{code="${code}"}[10s]))`));
    // Healthy traffic until Prometheus sees it.
    await waitUntil(async () => (target.record('200', 50), (await rate('200')).kind === 'value' && ((await rate('200')) as { value: number }).value > 0), 'healthy traffic is seen', { timeoutMs: 20_000, intervalMs: 250 });
    expect(await wiring.check.inOutage()).toEqual({ state: 'clear' });
    // Then half of it fails: 50% errors against a 1% budget burn it 50 times too fast.
    await waitUntil(
      async () => (target.record('200', 50), target.record('500', 50), ((await wiring.check.inOutage()) as { state: string }).state === 'outage'),
      'the burning SLO is seen as an outage',
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    expect(await wiring.check.inOutage()).toMatchObject({ state: 'outage', detail: expect.stringMatching(/^SLO api-availability burns its error budget [\d.]+x over the last 10s \(outageCheck.maxBurnRate 14.4\)$/) });
    await wiring.close();
  }, 60_000);

  it('sees a firing alert as an outage', async () => {
    const wiring = await outageCheckFor({ clock: systemClock }, config(`  alerts: '{severity="page"}'\n  prometheus: ${prometheus.url}\n`));
    await waitUntil(async () => ((await wiring.check.inOutage()) as { state: string }).state === 'outage', 'the alert fires', { timeoutMs: 20_000, intervalMs: 250 });
    expect(await wiring.check.inOutage()).toEqual({ state: 'outage', detail: 'alert(s) firing: AlwaysPaging (ALERTS{alertstate="firing", severity="page"})' });
    const other = await outageCheckFor({ clock: systemClock }, config(`  alerts: '{severity="ticket"}'\n  prometheus: ${prometheus.url}\n`));
    expect(await other.check.inOutage()).toEqual({ state: 'clear' });
  }, 40_000);

  it('cannot tell when Prometheus is down: the fault is skipped for that', async () => {
    const wiring = await outageCheckFor({ clock: systemClock }, config(`  slos: slos.yaml\n  prometheus: http://127.0.0.1:${await closedPort()}\n`));
    expect(await wiring.check.inOutage()).toMatchObject({ state: 'unknown', detail: expect.stringContaining('api-availability') });
  });

  it('refuses an SLO name the file does not have, with a did-you-mean', async () => {
    await expect(outageCheckFor({ clock: systemClock }, config('  slos: slos.yaml\n  names: [api-availabilty]\n'))).rejects.toMatchObject({
      code: 'config.invalid',
      exitCode: 2,
      message: expect.stringContaining('did you mean "api-availability"?'),
    });
  });
});
