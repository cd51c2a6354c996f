import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { ManualClock } from '../../../src/core/manual-clock.js';
import { SeededRandom } from '../../../src/core/random.js';
import { Drill, type DrillOptions } from '../../../src/engine/drill/drill.js';
import type { ProviderRegistry } from '../../../src/engine/provider-registry.js';
import { MemoryProvider } from '../../../src/providers/memory/memory-provider.js';
import type { AdminInstance } from '../../../src/reference-stack/stack/stack-admin-client.js';
import { writeStackState } from '../../../src/reference-stack/stack/stack-state.js';
import { instance } from '../../monkeys/safety/harness.js';
import { loopbackServers } from '../../support/loopback-servers.js';
import { nextEvent } from '../../support/next-event.js';

const dirs: string[] = [];
const drills: { drill: Drill; clock: ManualClock }[] = [];
const servers = loopbackServers();
afterEach(async () => {
  for (const { drill, clock } of drills.splice(0)) await untilSettled(drill.stop(), clock);
  await servers.closeAll();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Moves the clock a tenth of a second at a time until `promise` settles: the viewers' arrival loop sleeps on the
 * clock, so stopping them needs the clock to move. At most a minute of clock time.
 */
async function untilSettled<T>(promise: Promise<T>, clock: ManualClock): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  for (let step = 0; step < 600 && !settled; step++) await clock.advance(100);
  return watched;
}

/** A registry that fails the test if anything asks it for a provider: nothing may act before the drill runs. */
const noProviders: ProviderRegistry = {
  create: (name) => {
    throw new Error(`provider ${name} asked for before the drill started`);
  },
  forRevert: (name) => {
    throw new Error(`provider ${name} asked for before the drill started`);
  },
};

/** A drill over an empty state directory, not started. */
function unstarted(overrides: Partial<DrillOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'simian-drill-'));
  dirs.push(dir);
  const stateDir = join(dir, 'state');
  const clock = new ManualClock();
  const config = parseConfig(`stateDir: ${stateDir}\n`, { baseDir: dir });
  const drill = new Drill({
    config,
    providers: noProviders,
    viewerRate: 5,
    readonly: false,
    faultDurationMs: 300_000,
    sloFile: join(dir, 'slos.yaml'),
    experiments: [],
    facilitator: 'ada',
    pid: process.pid,
    clock,
    random: new SeededRandom(1),
    ...overrides,
  });
  drills.push({ drill, clock });
  return { drill, clock, stateDir, config, dir };
}

describe('Drill before start', () => {
  it('is starting, leashed off, with nothing on the map', () => {
    const { drill, clock } = unstarted();
    expect(drill.view()).toMatchObject({
      phase: 'starting',
      progress: { message: 'starting' },
      stack: 'reference stack, attached',
      leashed: false,
      readonly: false,
      killSwitch: false,
      startedAt: clock.now(),
      viewers: { rate: 5, sessions: 0 },
      sloSource: 'not yet',
      instances: [],
      slos: [],
      faults: [],
      timeline: [],
    });
  });

  it('refuses every fault with the reason, and touches nothing', async () => {
    const { drill, stateDir } = unstarted();
    for (const action of [
      { kind: 'chaos' as const },
      { kind: 'zone' as const, region: 'us-east', zone: 'us-east-1a' },
      { kind: 'region' as const, region: 'us-east' },
      { kind: 'latency' as const, service: 'user', latencyMs: 500 },
      { kind: 'experiment' as const, file: 'experiments/kill-one.yaml' },
    ]) {
      expect(await drill.execute(action)).toEqual({ outcome: 'skipped', message: 'the drill is starting' });
    }
    expect((await drill.preview({ kind: 'zone', region: 'us-east', zone: 'us-east-1a' })).refusal).toBe('the drill is starting');
    expect(existsSync(stateDir)).toBe(false);
    expect(drill.record.timeline).toEqual([]);
  });

  it('refuses in a read-only console whatever the phase', async () => {
    const { drill } = unstarted({ readonly: true });
    expect(await drill.execute({ kind: 'chaos' })).toEqual({ outcome: 'skipped', message: 'read-only console (--readonly): fault keys are off' });
    expect((await drill.preview({ kind: 'latency', service: 'user', latencyMs: 100 })).refusal).toBe('read-only console (--readonly): fault keys are off');
  });

  it('previews an experiment file it cannot read with the reason instead of a confirmation', async () => {
    const { drill, dir } = unstarted();
    const preview = await drill.preview({ kind: 'experiment', file: join(dir, 'missing.yaml') });
    expect(preview).toMatchObject({ title: `Run ${join(dir, 'missing.yaml')}`, blastRadius: 'unknown' });
    expect(preview.refusal).toContain('missing.yaml');
  });

  it('records a note trimmed, ignores a blank one, and tells subscribers', () => {
    const { drill, clock } = unstarted();
    let changes = 0;
    drill.subscribe(() => (changes += 1));
    drill.note('   ');
    drill.note('');
    expect(drill.record.notes).toEqual([]);
    expect(changes).toBe(0);
    drill.note('  gateway p99 climbing \n');
    expect(drill.record.notes).toEqual([{ at: clock.now(), text: 'gateway p99 climbing' }]);
    expect(drill.view().timeline).toEqual([{ at: clock.now(), kind: 'note', text: 'gateway p99 climbing' }]);
    expect(changes).toBe(1);
  });

  it('takes a rate change before the viewers run as nothing', () => {
    const { drill } = unstarted();
    drill.setRate(50);
    expect(drill.view().viewers?.rate).toBe(5);
    expect(drill.record.timeline).toEqual([]);
  });

  it('stops without having started: nothing to revert, and a report that does not say it passed', async () => {
    const { drill, stateDir } = unstarted();
    const report = await drill.stop();
    expect(report.verdict).toBe('inconclusive');
    expect(report).toMatchObject({ faults: [], stillActive: [], sloSource: 'none', facilitator: 'ada' });
    expect(drill.view().phase).toBe('stopped');
    // Twice is the same stop.
    expect(await drill.stop()).toBe(report);
    expect(existsSync(stateDir) ? readdirSync(stateDir) : []).toEqual([]);
  });
});

const SLO_FILE = `version: prometheus/v1
service: reference-stack
slos:
  - name: gateway-availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{service="gateway",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{service="gateway"}[{{.window}}]))
    alerting:
      page_alert:
        disable: true
      ticket_alert:
        disable: true
`;

/**
 * A stack as an attached drill sees it, without its processes: stack.json naming this process, an admin API that
 * lists three instances (the gateway's /metrics is served), a front door that refuses every viewer, and a memory
 * provider, named local, holding the same instances for the safety pipeline to act on.
 */
async function fakeStack(options: { frontDoors?: boolean } = {}) {
  const gatewayMetrics = await servers.listen(
    createServer((_, response) => response.end('# TYPE http_requests_total counter\nhttp_requests_total{service="gateway",code="200"} 100\n')),
  );
  const admin: AdminInstance[] = [
    { id: 'gateway-us-east-1a-0', service: 'gateway', region: 'us-east', zone: 'us-east-1a', state: 'running', launchedAt: 0, address: gatewayMetrics },
    { id: 'user-us-east-1a-0', service: 'user', region: 'us-east', zone: 'us-east-1a', state: 'running', launchedAt: 0 },
    { id: 'user-us-east-1b-0', service: 'user', region: 'us-east', zone: 'us-east-1b', state: 'running', launchedAt: 0 },
    // The stack's two front doors, in the placement the topology gives them: `global`, for region and zone.
    ...(options.frontDoors
      ? [0, 1].map((i): AdminInstance => ({ id: `frontdoor-global-${i}`, service: 'frontdoor', region: 'global', zone: 'global', state: 'running', launchedAt: 0 }))
      : []),
  ];
  const adminUrl = await servers.listen(createServer((_, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ instances: admin }))));
  const frontDoorUrl = await servers.listen(createServer((_, response) => response.writeHead(503).end()));
  const provider = new MemoryProvider({ name: 'local', instances: admin.map((i) => instance(i.id, i.service, { region: i.region, zone: i.zone })) });
  const providers: ProviderRegistry = { create: () => provider, forRevert: () => provider };
  const drill = unstarted({ providers });
  writeFileSync(join(drill.dir, 'slos.yaml'), SLO_FILE);
  writeStackState(drill.stateDir, { pid: process.pid, topology: 'small', frontDoorUrl, toxiproxyUrl: 'http://127.0.0.1:9', adminUrl, startedAt: 0 });
  return { ...drill, provider, admin };
}

describe('Drill on an attached stack', () => {
  it('shows the front doors and offers them to Chaos Monkey, whose kill goes through the pipeline; global is no zone or region to take down', async () => {
    const { drill, provider } = await fakeStack({ frontDoors: true });
    await drill.start();
    const view = drill.view();
    expect(view.instances.filter((i) => i.service === 'frontdoor').map((i) => `${i.id} ${i.region}/${i.zone} ${i.condition}`)).toEqual([
      'frontdoor-global-0 global/global up',
      'frontdoor-global-1 global/global up',
    ]);
    expect(view.regions).toEqual([
      { name: 'us-east', zones: ['us-east-1a', 'us-east-1b'] },
      { name: 'global', zones: ['global'], global: true },
    ]);
    const choices = drill.choices();
    expect(choices.instances).toEqual(['gateway-us-east-1a-0', 'user-us-east-1a-0', 'user-us-east-1b-0', 'frontdoor-global-0', 'frontdoor-global-1']);
    expect(choices).toMatchObject({ zones: [{ region: 'us-east', zone: 'us-east-1a' }, { region: 'us-east', zone: 'us-east-1b' }], regions: ['us-east'], services: ['gateway', 'user'] });

    const killed = await drill.execute({ kind: 'chaos', instance: 'frontdoor-global-1' });
    expect(killed).toEqual({ outcome: 'executed', message: 'killed frontdoor-global-1' });
    expect(provider.calls).toEqual([{ method: 'terminate', instanceId: 'frontdoor-global-1', signal: 'SIGKILL', ok: true }]);
    expect(drill.record.open()).toMatchObject([{ kind: 'terminate', targets: ['frontdoor-global-1'] }]);
  });

  // Start, faults and the halt need no clock time (the clock stands still, so no tick runs in between); only
  // stopping does, for the viewers' arrival loop to wake up and see it must end.
  it('runs: shows the map, puts a fault through the pipeline, and reverts it when it stops', async () => {
    const { drill, clock, provider } = await fakeStack();
    await drill.start();
    const running = drill.view();
    expect(running).toMatchObject({ phase: 'running', stack: 'reference stack (small), attached', sloSource: 'direct scrapes', killSwitch: false });
    expect(running.instances.map((i) => `${i.id} ${i.condition}`)).toEqual(['gateway-us-east-1a-0 up', 'user-us-east-1a-0 up', 'user-us-east-1b-0 up']);
    expect(running.regions).toEqual([{ name: 'us-east', zones: ['us-east-1a', 'us-east-1b'] }]);
    expect(drill.choices()).toMatchObject({ instances: ['gateway-us-east-1a-0', 'user-us-east-1a-0', 'user-us-east-1b-0'], regions: ['us-east'], services: ['gateway', 'user'] });

    const result = await drill.execute({ kind: 'latency', service: 'user', latencyMs: 500 });
    expect(result).toEqual({ outcome: 'executed', message: '+500ms on user for 5m' });
    expect(provider.activeActions().length).toBeGreaterThan(0);
    const faulted = drill.view();
    expect(faulted.faults).toMatchObject([{ monkey: 'latency', description: '+500ms on user (2 instances)' }]);
    expect(faulted.instances.filter((i) => i.condition === 'slowed').map((i) => i.id)).toEqual(['user-us-east-1a-0', 'user-us-east-1b-0']);

    const report = await untilSettled(drill.stop(), clock);
    expect(provider.activeActions()).toEqual([]);
    expect(report.faults).toMatchObject([{ monkey: 'latency', endedBy: 'abort' }]);
    expect(report.stillActive).toEqual([]);
    expect(report.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['info', 'fault', 'revert']));
  });

  it('halts: reverts the fault in force, engages the kill switch, and refuses the next fault', async () => {
    const { drill, provider, config } = await fakeStack();
    await drill.start();
    await drill.execute({ kind: 'latency', service: 'user', latencyMs: 100 });
    const halted = await drill.halt();
    expect(halted).toEqual({ outcome: 'executed', message: `1 reverted; kill switch engaged (${config.safety.killSwitchFile})` });
    expect(provider.activeActions()).toEqual([]);
    expect(existsSync(config.safety.killSwitchFile!)).toBe(true);
    expect(drill.view().killSwitch).toBe(true);
    expect(await drill.execute({ kind: 'chaos' })).toEqual({ outcome: 'skipped', message: expect.stringContaining('the kill switch is engaged') });
    expect(drill.record.halts).toHaveLength(1);
  });

  it('ends a kill once the stack shows its victim replaced, though an attached drill gets no supervisor events', async () => {
    const { drill, clock, admin } = await fakeStack();
    await drill.start();
    const killed = await drill.execute({ kind: 'chaos', instance: 'user-us-east-1a-0' });
    expect(killed).toEqual({ outcome: 'executed', message: 'killed user-us-east-1a-0' });
    expect(drill.record.open().map((f) => f.kind)).toEqual(['terminate']);
    // The supervisor replaced it: the admin API shows it running again, restarted once.
    const index = admin.findIndex((i) => i.id === 'user-us-east-1a-0');
    admin[index] = { ...admin[index]!, restarts: 1, pid: 4242 };
    const replaced = nextEvent<void>((listener) => drill.subscribe(() => listener()), () => drill.record.open().length === 0);
    await clock.advance(1000);
    await replaced;
    expect(drill.record.faults[0]).toMatchObject({ endedAt: clock.now(), endedBy: 'replaced' });
    expect(drill.record.timeline.filter((e) => e.kind === 'instance').map((e) => e.text)).toEqual(['user-us-east-1a-0 replaced (pid 4242)']);
  });
});

/**
 * Another platform, as a drill with `platform` sees it: a memory provider named kubernetes holding three pods of
 * two groups in two zones, and no stack in the state directory at all.
 */
function platformDrill(options: { leashed: boolean; prometheusUrl?: string }) {
  const pods = [
    instance('shop/web-a', 'web', { region: 'eu-1', zone: 'eu-1a' }),
    instance('shop/web-b', 'web', { region: 'eu-1', zone: 'eu-1b' }),
    instance('shop/cart-a', 'cart', { region: 'eu-1', zone: 'eu-1a', state: 'pending' }),
  ];
  const provider = new MemoryProvider({ name: 'kubernetes', instances: pods });
  const asked: string[] = [];
  const providers: ProviderRegistry = {
    create: (name) => (asked.push(name), provider),
    forRevert: () => provider,
  };
  const dir = mkdtempSync(join(tmpdir(), 'simian-drill-'));
  dirs.push(dir);
  const config = parseConfig(`stateDir: ${join(dir, 'state')}\nleashed: ${options.leashed}\n`, { baseDir: dir });
  const drill = unstarted({ config, providers, platform: { provider: 'kubernetes', ...(options.prometheusUrl ? { prometheusUrl: options.prometheusUrl } : {}) } });
  writeFileSync(join(drill.dir, 'slos.yaml'), SLO_FILE);
  return { ...drill, provider, asked };
}

describe('Drill on another platform', () => {
  it('maps the provider\'s inventory, drives no viewers, and stays leashed: a fault is decided, not injected', async () => {
    const { drill, clock, provider, asked } = platformDrill({ leashed: true });
    await drill.start();
    const view = drill.view();
    expect(view).toMatchObject({ phase: 'running', stack: 'kubernetes (not the bundled stack)', leashed: true, sloSource: 'none' });
    expect(view.viewers).toBeUndefined();
    expect(asked).toContain('kubernetes');
    expect(view.instances.map((i) => `${i.id} ${i.service} ${i.zone} ${i.condition}`)).toEqual(['shop/web-a web eu-1a up', 'shop/web-b web eu-1b up', 'shop/cart-a cart eu-1a replacing']);
    expect(drill.choices()).toMatchObject({ instances: ['shop/web-a', 'shop/web-b'], zones: [{ region: 'eu-1', zone: 'eu-1a' }, { region: 'eu-1', zone: 'eu-1b' }], services: ['web', 'cart'] });

    const killed = await drill.execute({ kind: 'chaos', instance: 'shop/web-a' });
    expect(killed).toEqual({ outcome: 'skipped', message: expect.stringMatching(/^refused \(leashed\)/) });
    const dropped = await drill.execute({ kind: 'zone', region: 'eu-1', zone: 'eu-1b' });
    expect(dropped).toEqual({ outcome: 'skipped', message: expect.stringMatching(/^refused \(leashed\)/) });
    expect(provider.calls).toEqual([]);
    expect(drill.record.timeline.filter((e) => e.kind === 'refused')).toHaveLength(2);

    const report = await untilSettled(drill.stop(), clock);
    expect(report.stack).toBe('kubernetes (not the bundled stack)');
    expect(report.leashed).toBe(true);
    expect(report.viewers).toBeUndefined();
    // No Prometheus was named: nothing measured the SLOs, and that is never a pass.
    expect(report.verdict).toBe('inconclusive');
  });

  it('acts for real on that platform only when the operator unleashed it', async () => {
    const { drill, clock, provider } = platformDrill({ leashed: false });
    await drill.start();
    expect(drill.view().leashed).toBe(false);
    expect(await drill.execute({ kind: 'chaos', instance: 'shop/web-b' })).toEqual({ outcome: 'executed', message: 'killed shop/web-b' });
    expect(provider.calls).toMatchObject([{ method: 'terminate', instanceId: 'shop/web-b', ok: true }]);
    await untilSettled(drill.stop(), clock);
  });

  it('reads the SLOs from the Prometheus that watches the platform', async () => {
    const queries: string[] = [];
    const prometheusUrl = await servers.listen(
      createServer((request, response) => {
        const query = new URL(request.url ?? '/', 'http://x').searchParams.get('query') ?? '';
        queries.push(query);
        // 2 errors a second out of 1,000: 99.8%, under the 99.9% objective.
        const value = query.includes('code=~') ? '2' : '1000';
        const body = { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, value] }] } };
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      }),
    );
    const { drill, clock } = platformDrill({ leashed: true, prometheusUrl });
    await drill.start();
    await clock.advance(1_000);
    await nextEvent<void>((listener) => drill.subscribe(() => listener()), () => drill.view().slos[0]?.current !== undefined);
    const [slo] = drill.view().slos;
    expect(drill.view().sloSource).toBe(`prometheus ${prometheusUrl}`);
    expect(slo).toMatchObject({ name: 'gateway-availability', breached: true });
    expect(slo?.current).toBeCloseTo(0.998, 6);
    expect(queries.some((q) => q.includes('http_requests_total{service="gateway",code=~"5.."}'))).toBe(true);
    await untilSettled(drill.stop(), clock);
  });
});
