import { existsSync, readFileSync, writeFileSync, chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isSimianError } from '../../src/core/errors.js';
import { PrometheusClient, singleValue } from '../../src/slo/prometheus-client.js';
import { findExecutable, startPrometheusServer, type PrometheusServer } from '../../src/slo/prometheus-server.js';
import { isGone, killAll, waitUntil } from '../support/processes.js';
import { startMetricsTarget, type MetricsTarget } from './metrics-target.js';

describe('startPrometheusServer', () => {
  const servers: PrometheusServer[] = [];
  const targets: MetricsTarget[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    killAll(servers.map((s) => s.pid));
    servers.length = 0;
    await Promise.all(targets.map((t) => t.close()));
    targets.length = 0;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses with prometheus.notInstalled when there is no binary, and starts nothing', async () => {
    let error: unknown;
    try {
      await startPrometheusServer({ binary: 'no-such-prometheus-binary' });
    } catch (e) {
      error = e;
    }
    expect(isSimianError(error, 'prometheus.notInstalled')).toBe(true);
    expect((error as Error).message).toContain('apt-get install');
    expect(findExecutable('sh')).toMatch(/\/sh$/);
    expect(findExecutable('no-such-prometheus-binary')).toBeUndefined();
  });

  it('reports a binary that exits at once with prometheus.startFailed and its log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simian-fake-prom-'));
    dirs.push(dir);
    const fake = join(dir, 'prometheus');
    writeFileSync(fake, '#!/bin/sh\necho "level=error msg=\\"boom: bad flag\\"" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    let error: unknown;
    try {
      await startPrometheusServer({ binary: fake });
    } catch (e) {
      error = e;
    }
    expect(isSimianError(error, 'prometheus.startFailed')).toBe(true);
    expect((error as Error).message).toContain('boom: bad flag');
  });

  it('starts on loopback, follows target changes through the targets file, and stops every process and file', async () => {
    const [a, b] = await Promise.all([startMetricsTarget({ instance: 'a' }), startMetricsTarget({ instance: 'b' })]);
    targets.push(a!, b!);
    const server = await startPrometheusServer({ targets: [{ address: a!.address, labels: { zone: 'z1' } }], scrapeIntervalMs: 500 });
    servers.push(server);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.parse(readFileSync(join(server.dir, 'targets.json'), 'utf8'))).toEqual([{ targets: [a!.address.replace('http://', '')], labels: { zone: 'z1' } }]);
    await server.waitForTargets({ addresses: [a!.address] });

    // An instance replaced at a new address: the file is rewritten and Prometheus follows it.
    server.setTargets([{ address: b!.metricsUrl, labels: { zone: 'z2' } }]);
    await server.waitForTargets({ addresses: [b!.address] });
    const client = new PrometheusClient({ url: server.url });
    // honor_labels: the target's own instance label ("b") is kept; the file's zone label is added.
    const scraped = async () => singleValue(await client.query('count(http_requests_total{instance="b", zone="z2"})'));
    await waitUntil(async () => (await scraped()).kind === 'value', 'the new target is scraped', { timeoutMs: 15_000, intervalMs: 200 });
    expect(await scraped()).toEqual({ kind: 'value', value: 2 });

    const pid = server.pid!;
    await server.stop();
    expect(isGone(pid)).toBe(true);
    expect(existsSync(server.dir)).toBe(false);
    await server.stop(); // harmless twice
  }, 40_000);
});
