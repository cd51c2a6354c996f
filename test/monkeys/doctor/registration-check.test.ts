import { createAdaptorServer } from '@hono/node-server';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import type { Instance } from '../../../src/core/model.js';
import { DoctorMonkey, type DoctorReport } from '../../../src/monkeys/doctor/doctor-monkey.js';
import { localRegistrationCheck, matchRegistrations, registersInDiscovery } from '../../../src/monkeys/doctor/local-registrations.js';
import { registrationCheck } from '../../../src/monkeys/doctor/registration-check.js';
import { PID_TAG } from '../../../src/providers/local/local-provider.js';
import { MemoryProvider } from '../../../src/providers/memory/memory-provider.js';
import { createDiscoveryService } from '../../../src/reference-stack/discovery/discovery-service.js';
import { instance } from '../safety/harness.js';
import { loopbackServers } from '../../support/loopback-servers.js';

const { listen, closeAll } = loopbackServers();

// Runs even when a test failed: every server and connection (the hung one too) goes.
afterEach(closeAll);

/** The stack token the discovery services below require for registrations. */
const STACK_TOKEN = 'registration-check-stack-token-0123';

/** The real discovery service of a region, on a loopback port, its leases on a clock that stands still. */
async function discovery(region: string): Promise<string> {
  const { app } = createDiscoveryService({
    identity: { service: 'discovery', region, zone: `${region}-1a`, instanceId: `discovery-${region}-1a-0` },
    clock: new ManualClock(),
    stackToken: STACK_TOKEN,
  });
  return listen(createAdaptorServer({ fetch: app.fetch }) as Server);
}

/** Registers as a stack instance does (`<slot>@<pid>`, the proxied address), over HTTP. */
async function register(discoveryUrl: string, registration: { instanceId: string; service: string; region: string; zone: string; address: string }): Promise<void> {
  const answer = await fetch(new URL('/v1/instances', discoveryUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${STACK_TOKEN}` },
    body: JSON.stringify(registration),
  });
  expect(answer.status).toBe(201);
}

/** A local-stack instance: group `service` (or `service@region`), a pid tag and a proxied address. */
function local(id: string, group: string, options: { pid?: number; address?: string; region?: string } = {}): Instance {
  const base = instance(id, group, { region: options.region ?? 'us-east', zone: 'us-east-1a', address: options.address ?? `http://127.0.0.1:9/${id}` });
  return options.pid === undefined ? base : { ...base, tags: { ...base.tags, [PID_TAG]: String(options.pid) } };
}

function findings(report: DoctorReport): Record<string, string> {
  return Object.fromEntries(report.instances.map((i) => [i.id, i.findings.map((f) => `${String(f.ok)}: ${f.detail}`).join(' | ') || 'none']));
}

describe('matchRegistrations', () => {
  const instances = [
    local('catalog-a-0', 'catalog', { pid: 111, address: 'http://127.0.0.1:4100' }),
    local('catalog-b-0', 'catalog', { pid: 333, address: 'http://127.0.0.1:4101' }),
    local('user-a-0', 'user', { address: 'http://127.0.0.1:4102' }),
  ];

  it('maps <slot>@<pid> to the slot while the pid is the current process', () => {
    expect(matchRegistrations([{ instanceId: 'catalog-a-0@111' }], instances)).toEqual(new Set(['catalog-a-0']));
  });

  it('ignores a registration left by the slot’s previous process, even at the same address', () => {
    expect(matchRegistrations([{ instanceId: 'catalog-b-0@222', address: 'http://127.0.0.1:4101' }], instances)).toEqual(new Set());
  });

  it('takes an exact id, a slot without a pid tag, or else a matching address', () => {
    expect(
      matchRegistrations(
        [{ instanceId: 'catalog-a-0' }, { instanceId: 'user-a-0@999' }, { instanceId: 'renamed', address: 'http://127.0.0.1:4101/' }, { instanceId: 'stranger', address: 'http://127.0.0.1:1' }],
        instances,
      ),
    ).toEqual(new Set(['catalog-a-0', 'user-a-0', 'catalog-b-0']));
  });
});

describe('registrationCheck', () => {
  it('is well when registered, sick when not, and does not apply where appliesTo says no', async () => {
    const provider = new MemoryProvider({ instances: [instance('a', 'api'), instance('b', 'api'), instance('c', 'db')] });
    const check = registrationCheck({ registered: async () => new Set(['a']), appliesTo: (i) => i.group === 'api' });
    const report = await new DoctorMonkey({ inventory: provider.inventory, clock: new ManualClock(), checks: [check] }).examine();
    expect(findings(report)).toEqual({ a: 'true: registered in discovery', b: 'false: running but not registered in discovery', c: 'none' });
  });

  it('cannot tell when the registry cannot be read, and does not ask it when nobody would be judged', async () => {
    let asked = 0;
    const provider = new MemoryProvider({ instances: [instance('a', 'api')] });
    const broken = registrationCheck({ registered: async () => (asked++, Promise.reject(new Error('registry down'))) });
    const report = await new DoctorMonkey({ inventory: provider.inventory, clock: new ManualClock(), checks: [broken] }).examine();
    expect(report.instances[0]).toMatchObject({ verdict: 'unknown', findings: [{ ok: 'unknown', detail: 'the registration check could not start: registry down' }] });

    const none = registrationCheck({ registered: async () => (asked++, new Set()), appliesTo: () => false });
    await new DoctorMonkey({ inventory: provider.inventory, clock: new ManualClock(), checks: [none] }).examine();
    expect(asked).toBe(1);
  });
});

describe('localRegistrationCheck against the real discovery service', () => {
  it('finds the registered, the unregistered and the stale; discovery and the front door are not judged', async () => {
    const east = await discovery('us-east');
    const registered = local('catalog-us-east-1a-0', 'catalog', { pid: 111 });
    const replaced = local('catalog-us-east-1b-0', 'catalog', { pid: 333 });
    const missing = local('user-us-east-1a-0', 'user', { pid: 444 });
    const byAddress = local('gateway-us-east-1a-0', 'gateway', { pid: 555 });
    await register(east, { instanceId: 'catalog-us-east-1a-0@111', service: 'catalog', region: 'us-east', zone: 'us-east-1a', address: registered.address! });
    // The previous process of the slot, its lease still running: it does not vouch for pid 333.
    await register(east, { instanceId: 'catalog-us-east-1b-0@222', service: 'catalog', region: 'us-east', zone: 'us-east-1b', address: replaced.address! });
    await register(east, { instanceId: 'gw-registered-by-hand', service: 'gateway', region: 'us-east', zone: 'us-east-1a', address: byAddress.address! });

    const provider = new MemoryProvider({
      instances: [
        local('discovery-us-east-1a-0', 'discovery', { address: east }),
        local('frontdoor-global-0', 'frontdoor', { region: 'global' }),
        registered,
        replaced,
        missing,
        byAddress,
      ],
    });
    const doctor = new DoctorMonkey({ inventory: provider.inventory, clock: new ManualClock(), checks: [localRegistrationCheck()] });
    const report = await doctor.examine();
    expect(Object.fromEntries(report.instances.map((i) => [i.id, i.verdict]))).toEqual({
      'discovery-us-east-1a-0': 'unknown',
      'frontdoor-global-0': 'unknown',
      'catalog-us-east-1a-0': 'healthy',
      'catalog-us-east-1b-0': 'sick',
      'user-us-east-1a-0': 'sick',
      'gateway-us-east-1a-0': 'healthy',
    });
    expect(report.instances[0]!.findings).toEqual([]);
  });

  it('reads every discovery instance of every region (multi-region groups), and is content with any one answer per region', async () => {
    const east = await discovery('us-east');
    const west = await discovery('us-west');
    const resetting = await listen(createServer((req) => req.socket.destroy()));
    await register(west, { instanceId: 'catalog-us-west-1a-0@7', service: 'catalog', region: 'us-west', zone: 'us-west-1a', address: 'http://127.0.0.1:9/w' });
    await register(east, { instanceId: 'catalog-us-east-1a-0@8', service: 'catalog', region: 'us-east', zone: 'us-east-1a', address: 'http://127.0.0.1:9/e' });
    const provider = new MemoryProvider({
      instances: [
        local('discovery-us-east-1a-0', 'discovery@us-east', { address: east }),
        local('discovery-us-east-1b-0', 'discovery@us-east', { address: resetting }),
        local('discovery-us-west-1a-0', 'discovery@us-west', { address: west, region: 'us-west' }),
        local('catalog-us-east-1a-0', 'catalog@us-east', { pid: 8 }),
        local('catalog-us-west-1a-0', 'catalog@us-west', { pid: 7, region: 'us-west' }),
        local('user-us-west-1a-0', 'user@us-west', { pid: 9, region: 'us-west' }),
      ],
    });
    const report = await new DoctorMonkey({ inventory: provider.inventory, clock: new ManualClock(), checks: [localRegistrationCheck()] }).examine();
    expect(report.instances.filter((i) => i.verdict !== 'unknown').map((i) => [i.id, i.verdict])).toEqual([
      ['catalog-us-east-1a-0', 'healthy'],
      ['catalog-us-west-1a-0', 'healthy'],
      ['user-us-west-1a-0', 'sick'],
    ]);
  });

  it('judges nobody when a region’s discovery does not answer, or a region has none running', async () => {
    const broken = await listen(createServer((_req, res) => res.writeHead(500).end()));
    const provider = new MemoryProvider({
      instances: [local('discovery-us-east-1a-0', 'discovery', { address: broken }), local('catalog-us-east-1a-0', 'catalog', { pid: 1 })],
    });
    const report = await new DoctorMonkey({ inventory: provider.inventory, clock: new ManualClock(), checks: [localRegistrationCheck()] }).examine();
    expect(report.instances[1]).toMatchObject({ verdict: 'unknown', findings: [{ ok: 'unknown' }] });
    expect(report.instances[1]!.findings[0]!.detail).toMatch(/no discovery instance of region us-east answered .*HTTP 500/);

    const orphan = new MemoryProvider({ instances: [local('catalog-us-east-1a-0', 'catalog', { pid: 1 })] });
    const alone = await new DoctorMonkey({ inventory: orphan.inventory, clock: new ManualClock(), checks: [localRegistrationCheck()] }).examine();
    expect(alone.instances[0]!.findings[0]).toMatchObject({ ok: 'unknown', detail: expect.stringContaining('no running discovery instance in region us-east') });
    expect(alone.totals.sick).toBe(0);
  });

  it('knows which local services register', () => {
    expect(['discovery', 'discovery@us-east', 'frontdoor', 'catalog', 'gateway@us-west'].map((g) => registersInDiscovery(instance('x', g)))).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
  });
});
