/**
 * The reference stack on the `small` topology, as real processes behind the embedded fault proxy: its claims of
 * resilience measured with real kills (SIGKILL) and real network toxics.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Toxiproxy, type Latency } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../src/reference-stack/load/load-generator.js';
import type { ServiceName } from '../../src/reference-stack/service-kit/identity.js';
import { ReferenceStack } from '../../src/reference-stack/stack/reference-stack.js';
import { loadTopology } from '../../src/reference-stack/topology/topology.js';
import { createToxiproxyServer, type ToxiproxyServer } from '../../src/toxiproxy/server.js';
import { killAll, waitUntil } from '../support/processes.js';

/** Every service that runs more than one instance; the single front door is the entry point, not a victim. */
const VICTIMS: readonly ServiceName[] = ['gateway', 'discovery', 'user', 'catalog', 'recommendation', 'playback', 'billing', 'edge', 'origin'];

describe('reference stack (small topology, real processes)', () => {
  let toxiproxy: ToxiproxyServer | undefined;
  let stack: ReferenceStack | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'simian-stack-'));

  beforeAll(async () => {
    toxiproxy = await createToxiproxyServer({ host: '127.0.0.1', port: 0 });
    stack = await ReferenceStack.start({ topology: await loadTopology('small'), dataDir, toxiproxyUrl: toxiproxy.url });
  }, 180_000);

  afterAll(async () => {
    const pids = stack?.inventory().map((i) => i.pid) ?? [];
    await stack?.stop();
    killAll(pids); // matters only if stop() itself failed
    await toxiproxy?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('serves viewers at 99.9% or better while one instance of each service is SIGKILLed in turn, losing no write', async () => {
    const stop = new AbortController();
    const load = runLoad({
      target: stack!.frontDoorUrl!,
      durationMs: 240_000,
      ratePerSecond: 6,
      subscribeProbability: 0.3,
      requestTimeoutMs: 10_000,
      signal: stop.signal,
    });
    try {
      for (const service of VICTIMS) {
        const victim = stack!.inventory().find((i) => i.service === service && i.state === 'running' && i.pid !== undefined)!;
        process.kill(victim.pid!, 'SIGKILL');
        // The supervisor replaces it with a new process (new pid), like an Auto Scaling group.
        await waitUntil(
          () => {
            const now = stack!.inventory().find((i) => i.id === victim.id);
            return now?.state === 'running' && now.pid !== victim.pid;
          },
          `${victim.id} is replaced`,
          { timeoutMs: 60_000, intervalMs: 100 },
        );
      }
    } finally {
      stop.abort();
    }
    const report = await load;
    // On failure, the whole report says what viewers saw.
    expect(report.successRatio, JSON.stringify(report, null, 1)).toBeGreaterThanOrEqual(0.999);
    expect(report.requests).toBeGreaterThan(200);
    expect(report.billing.acknowledged).toBeGreaterThan(0);
    expect(report.billing.lost).toBe(0);
    expect(report.billing.duplicated).toBe(0);
    for (const service of VICTIMS) {
      expect(stack!.inventory().filter((i) => i.service === service).reduce((n, i) => n + i.restarts, 0), service).toBe(1);
    }
  }, 300_000);

  it('evicts a dead instance from discovery once its heartbeats stop', async () => {
    const discovery = stack!.inventory().find((i) => i.service === 'discovery')!;
    const registered = async () =>
      ((await (await fetch(`${discovery.publicAddress}/v1/instances?service=catalog`)).json()) as { instances: Array<{ instanceId: string }> }).instances.map(
        (i) => i.instanceId,
      );
    const victim = stack!.inventory().find((i) => i.service === 'catalog')!;
    const registration = `${victim.id}@${victim.pid}`;
    expect(await registered()).toContain(registration);
    process.kill(victim.pid!, 'SIGKILL');
    // Leases last 3 s without a heartbeat; poll the registry (bounded) until the dead registration is gone.
    const deadline = performance.now() + 30_000;
    let now = await registered();
    while (now.includes(registration) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      now = await registered();
    }
    expect(now).not.toContain(registration);
  }, 60_000);

  it('still answers the home page, with the trending row, when recommendations are slowed past their timeout', async () => {
    const client = new Toxiproxy(toxiproxy!.url);
    const proxies = Object.values(await client.getAll()).filter((p) => p.name.startsWith('recommendation-'));
    expect(proxies.length).toBe(2);
    try {
      for (const proxy of proxies) {
        await proxy.addToxic<Latency>({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 5_000, jitter: 0 } });
      }
      const login = await fetch(`${stack!.frontDoorUrl}/api/login`, { method: 'POST', body: JSON.stringify({ username: 'viewer-5', password: 'simian' }) });
      const { token } = (await login.json()) as { token: string };
      const home = await fetch(`${stack!.frontDoorUrl}/api/home`, { headers: { authorization: `Bearer ${token}` } });
      // The gateway gives up on recommendations within its request budget and serves the trending row.
      expect(home.status).toBe(200);
      expect(home.headers.get('x-simian-fallback')).toBe('true');
      expect(((await home.json()) as { fallback: boolean; rows: Array<{ name: string }> })).toMatchObject({ fallback: true, rows: [{ name: 'Trending now' }] });
    } finally {
      await client.reset();
    }
  }, 60_000);
});
