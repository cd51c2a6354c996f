/**
 * No single point of failure, on a real `small` stack under load (two front doors, viewers failing over between
 * them): SIGKILL of one instance of every service, a front door included, one after the other, and Chaos Gorilla
 * taking a zone down, each keep viewers at 99.9% or better; the supervisor replaces every killed instance. The
 * assertions are on the success ratio a real run measured, not on time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimian } from '../support/simian-binary.js';
import { runLoad } from '../../src/reference-stack/load/load-generator.js';
import type { LoadReport } from '../../src/reference-stack/load/load-stats.js';
import { killAll, waitUntil } from '../support/processes.js';

const simian = (args: string[]) => runSimian(args);

interface Slot {
  id: string;
  service: string;
  state: string;
  pid: number;
  restarts: number;
}

/** Viewers per second: each plays about seven requests, so some 100 requests a second through the stack. */
const RATE = 15;

describe('no single point of failure: a small stack with two front doors, under load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simian-no-spof-'));
  let adminUrl = '';
  let frontDoors: readonly string[] = [];
  const started = new Set<number>();

  const inventory = async (): Promise<Slot[]> => {
    const slots = ((await (await fetch(`${adminUrl}/inventory`)).json()) as { instances: Slot[] }).instances;
    for (const slot of slots) started.add(slot.pid);
    return slots;
  };

  /**
   * Runs viewers through every front door while `during` runs, then lets the last journeys finish. `during` gets a
   * wait for the viewers to have made `n` more requests (the load reports its progress about once a second).
   */
  const underLoad = async (during: (moreRequests: (n: number) => Promise<void>) => Promise<void>): Promise<LoadReport> => {
    const stop = new AbortController();
    let requests = 0;
    const load = runLoad({ target: frontDoors, durationMs: 180_000, ratePerSecond: RATE, signal: stop.signal, onProgress: (r) => (requests = r.requests) });
    const moreRequests = (n: number) => {
      const target = requests + n;
      return waitUntil(() => requests >= target, `the viewers made ${n} more requests`, { timeoutMs: 30_000, intervalMs: 100 });
    };
    try {
      await during(moreRequests);
    } finally {
      stop.abort();
    }
    return load;
  };

  beforeAll(async () => {
    const up = await simian(['stack', 'up', '--detach', '--json', '--state-dir', dir]);
    expect(up.code, up.stderr).toBe(0);
    const state = JSON.parse(up.stdout) as { adminUrl: string; frontDoorUrls: string[] };
    adminUrl = state.adminUrl;
    frontDoors = state.frontDoorUrls;
    await inventory();
  }, 120_000);

  afterAll(async () => {
    await simian(['stack', 'down', '--state-dir', dir]);
    killAll(started);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('SIGKILL of one instance of every service, a front door included, keeps viewers at 99.9%', async () => {
    expect(frontDoors).toHaveLength(2);
    const killed: string[] = [];
    const report = await underLoad(async (moreRequests) => {
      // Steady traffic first, so that journeys are in flight through both front doors when the kills start.
      await moreRequests(200);
      const services = [...new Set((await inventory()).map((s) => s.service))];
      for (const service of services) {
        const victim = (await inventory()).find((s) => s.service === service && s.state === 'running')!;
        process.kill(victim.pid, 'SIGKILL');
        killed.push(victim.id);
        await waitUntil(
          async () => (await inventory()).some((s) => s.id === victim.id && s.state === 'running' && s.restarts > victim.restarts),
          `${victim.id} is replaced`,
          { timeoutMs: 30_000, intervalMs: 200 },
        );
      }
    });
    expect(killed.filter((id) => id.startsWith('frontdoor-'))).toHaveLength(1);
    expect(killed).toHaveLength(10);
    expect(report.requests).toBeGreaterThan(500);
    expect(report.successRatio, `${report.failures} of ${report.requests} failed: ${report.sampleErrors.join('; ')}`).toBeGreaterThanOrEqual(0.999);
    expect(report.billing.lost).toBe(0);
  }, 240_000);

  it('Chaos Gorilla taking zone us-east-1a down for 20 s keeps viewers at 99.9%', async () => {
    const report = await underLoad(async (moreRequests) => {
      await moreRequests(200);
      // Through the safety pipeline, as an operator would: the zone comes back when the 20 s are up.
      const gorilla = await simian(['monkey', 'gorilla', '--provider', 'local', '--zone', 'us-east-1a', '--region', 'us-east', '--unleash', '--duration', '20s', '--json', '--state-dir', dir]);
      expect(gorilla.code, gorilla.stderr).toBe(0);
      expect((JSON.parse(gorilla.stdout) as { decision: { outcome: string } }).decision.outcome).toBe('executed');
      // The seconds after the zone is back: when a zone's discovery used to hand out an emptied registry.
      await moreRequests(400);
    });
    expect(report.requests).toBeGreaterThan(500);
    expect(report.successRatio, `${report.failures} of ${report.requests} failed: ${report.sampleErrors.join('; ')}`).toBeGreaterThanOrEqual(0.999);
  }, 240_000);
});
