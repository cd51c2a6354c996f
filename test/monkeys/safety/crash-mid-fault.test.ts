/**
 * Issue 9 item 9: a process that dies in the middle of a fault leaves it revertable. The fault is a zone outage
 * on the local provider against the real embedded Toxiproxy; an HTTP relay in front of its admin API holds the
 * request that disables the zone's second proxy, so the injecting "process" is stuck after the first, as if it had
 * died there. The next start (a reverter that sees the owner is gone) must bring the first proxy back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import { SeededRandom } from '../../../src/core/random.js';
import { zoneOutageRequest } from '../../../src/monkeys/gorilla/chaos-gorilla.js';
import { FaultReverter } from '../../../src/monkeys/revert/fault-reverter.js';
import { resolveSafetyConfig } from '../../../src/monkeys/safety/safety-config.js';
import { SafetyPipeline } from '../../../src/monkeys/safety/safety-pipeline.js';
import { StateStoreLedger } from '../../../src/monkeys/safety/state-store-ledger.js';
import { LocalProvider, type AdminInstance } from '../../../src/providers/local/local-provider.js';
import { StateStore } from '../../../src/state/state-store.js';
import { startHttpRelay } from '../../support/http-relay.js';
import { waitUntil } from '../../support/processes.js';
import { Cleanup, fakeStackAdmin, httpUpstream, startToxiproxy } from '../../providers/toxiproxy/fixtures.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const DEAD_OWNER = 4_000_001;

function slot(id: string, service: string, zone: string): AdminInstance {
  return { id, service, region: 'us-east', zone, pid: 1, address: null, launchedAt: 1000, tags: {}, state: 'running', restarts: 0 };
}

const SLOTS = [
  slot('catalog-us-east-1a-0', 'catalog', 'us-east-1a'),
  slot('user-us-east-1a-0', 'user', 'us-east-1a'),
  slot('catalog-us-east-1b-0', 'catalog', 'us-east-1b'),
  slot('user-us-east-1b-0', 'user', 'us-east-1b'),
];

async function enabled(toxiproxyUrl: string, proxy: string): Promise<boolean> {
  return ((await (await fetch(`${toxiproxyUrl}/proxies/${proxy}`)).json()) as { enabled: boolean }).enabled;
}

describe('a fault whose injector dies half-way', () => {
  it('is reverted by the next start from the intent recorded before the first action', async () => {
    const { server, client } = await startToxiproxy(cleanup);
    for (const { id } of SLOTS) await client.createProxy({ name: id, listen: '127.0.0.1:0', upstream: await httpUpstream(cleanup, id) });
    const adminUrl = await fakeStackAdmin(cleanup, SLOTS);
    const relay = await startHttpRelay(server.url, (req) => (req.method === 'POST' && req.url === '/proxies/user-us-east-1a-0' ? 'hold' : 'pass'));
    cleanup.add(() => relay.close());

    const clock = new ManualClock();
    const store = StateStore.open(':memory:', { clock });
    cleanup.add(() => store.close());
    const dying = new LocalProvider({ adminUrl, toxiproxyUrl: relay.url, random: new SeededRandom(1) });
    const config = resolveSafetyConfig({ leashed: false, minIntervalMs: 0, maxGroupShare: 1, minHealthyLeft: 0 });
    const pipeline = new SafetyPipeline({ provider: dying, ledger: new StateStoreLedger(store, 'local'), clock, random: new SeededRandom(2), config, ownerPid: DEAD_OWNER });
    const injecting = pipeline.inject(zoneOutageRequest(config, { zone: 'us-east-1a' }, 60_000));

    // Stuck after the zone's first proxy went down: from here on, this injector is as good as dead.
    await waitUntil(() => relay.held.length === 1, 'the second proxy update is held');
    expect(await enabled(server.url, 'catalog-us-east-1a-0')).toBe(false);
    expect(store.activeFaults()).toHaveLength(1);

    // The next start: a fresh provider, and a reverter for which the injector's pid is dead.
    const fresh = new LocalProvider({ adminUrl, toxiproxyUrl: server.url, random: new SeededRandom(3) });
    const reverter = new FaultReverter({ store, clock, actuators: () => fresh.actuator, pid: 1, isAlive: (pid) => pid !== DEAD_OWNER });
    const outcomes = await reverter.recover();
    expect(outcomes.map((o) => o.outcome)).toEqual(['reverted']);
    for (const { id } of SLOTS) expect(await enabled(server.url, id), id).toBe(true);

    // Let the stuck injector go: whatever it does now, nothing stays down.
    relay.release();
    expect((await injecting).outcome).toBe('failed');
    for (const { id } of SLOTS) expect(await enabled(server.url, id), id).toBe(true);
  });
});
