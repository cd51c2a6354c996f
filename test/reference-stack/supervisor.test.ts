import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock, isSimianError } from '../../src/core/index.js';
import { Supervisor } from '../../src/reference-stack/supervisor/supervisor.js';
import { parseTopology } from '../../src/reference-stack/topology/topology.js';
import { FakeLauncher } from '../support/fake-launcher.js';

const topology = parseTopology(
  [
    'regions: [{ name: us-east, zones: [us-east-1a, us-east-1b] }]',
    'services:',
    '  gateway: { instancesPerRegion: 1 }',
    '  discovery: { instancesPerRegion: 1 }',
    '  catalog: {}',
    'frontDoor: { instances: 1 }',
    'restartDelayMs: 1000',
  ].join('\n'),
  'test.yaml',
);

describe('supervisor (fake processes, manual clock)', () => {
  let clock: ManualClock;
  let launcher: FakeLauncher;
  let supervisor: Supervisor;
  const setup = (options: { stopGracePeriodMs?: number } = {}) => {
    clock = new ManualClock();
    launcher = new FakeLauncher();
    supervisor = new Supervisor({ topology, launcher, clock, ...options });
  };
  afterEach(async () => {
    // Nothing advances the manual clock here, so no process may wait for a SIGKILL escalation.
    for (const child of launcher.processes) child.kill('SIGKILL');
    await supervisor.stop();
  });

  it('starts the front door beside the services, without waiting for them to be ready', async () => {
    setup();
    launcher.neverReady.add('gateway-us-east-0');
    const starting = supervisor.start().catch((error: unknown) => error);
    await vi.waitFor(() => expect(launcher.launches).toContain('frontdoor-global-0'));
    expect(supervisor.instance('gateway-us-east-0')?.state).toBe('starting');
    await supervisor.stop();
    await starting;
  });

  it('starts discovery first and nothing else until it is ready', async () => {
    setup();
    launcher.neverReady.add('discovery-us-east-0');
    const starting = supervisor.start().catch((error: unknown) => error);
    await vi.waitFor(() => expect(launcher.launches).toEqual(['discovery-us-east-0']));
    // Give any launch that would come next a chance to show.
    await new Promise((resolve) => setImmediate(resolve));
    expect(launcher.launches).toEqual(['discovery-us-east-0']);
    await supervisor.stop();
    await starting;
  });

  it('starts discovery first, then the rest, and resolves when every instance is ready', async () => {
    setup();
    await supervisor.start();
    expect(launcher.launches).toEqual([
      'discovery-us-east-0',
      'gateway-us-east-0',
      'catalog-us-east-1a-0',
      'catalog-us-east-1b-0',
      'frontdoor-global-0',
    ]);
    expect(supervisor.phase).toBe('running');
    expect(supervisor.inventory().map((i) => [i.id, i.state, i.pid, i.address])).toEqual([
      ['gateway-us-east-0', 'running', 1001, 'http://127.0.0.1:41001'],
      ['discovery-us-east-0', 'running', 1000, 'http://127.0.0.1:41000'],
      ['catalog-us-east-1a-0', 'running', 1002, 'http://127.0.0.1:41002'],
      ['catalog-us-east-1b-0', 'running', 1003, 'http://127.0.0.1:41003'],
      ['frontdoor-global-0', 'running', 1004, 'http://127.0.0.1:41004'],
    ]);
    expect(supervisor.instance('catalog-us-east-1b-0')).toMatchObject({
      service: 'catalog',
      region: 'us-east',
      zone: 'us-east-1b',
      launchedAt: clock.now(),
      restarts: 0,
      tags: { 'simian:service': 'catalog' },
    });
  });

  it('replaces a dead instance after restartDelayMs of clock time, with a new process in the same slot', async () => {
    setup();
    await supervisor.start();
    const events: string[] = [];
    supervisor.exited(({ instance, expected, exit }) => events.push(`exited ${instance.id} ${instance.state} ${expected} ${exit.signal}`));
    supervisor.launched(({ instance, replacement }) => events.push(`launched ${instance.id} ${instance.pid} ${replacement}`));
    supervisor.replaced(({ previous, current }) => events.push(`replaced ${previous.pid} -> ${current.pid}`));
    const startedAt = clock.now();

    launcher.current('catalog-us-east-1a-0').kill('SIGKILL');
    await clock.advance(999);
    expect(supervisor.instance('catalog-us-east-1a-0')).toMatchObject({ state: 'crashed', pid: 1002, restarts: 0 });
    expect(launcher.launches).toHaveLength(5);

    await clock.advance(1);
    expect(launcher.launches.at(-1)).toBe('catalog-us-east-1a-0');
    expect(supervisor.instance('catalog-us-east-1a-0')).toMatchObject({
      state: 'running',
      pid: 1005,
      restarts: 1,
      launchedAt: startedAt + 1000,
    });
    expect(events).toEqual([
      'exited catalog-us-east-1a-0 crashed false SIGKILL',
      'launched catalog-us-east-1a-0 1005 true',
      'replaced 1002 -> 1005',
    ]);
  });

  it('signals an instance by slot id only while the slot runs the pid the caller saw', async () => {
    setup();
    await supervisor.start();
    const id = 'catalog-us-east-1a-0';
    const seen = supervisor.instance(id)!.pid!;
    expect(supervisor.signal(id, 'SIGTERM', seen)).toEqual({ outcome: 'signalled', pid: seen });
    expect(launcher.current(id).signals).toEqual(['SIGTERM']);
    await clock.advance(0);
    // Dead, then replaced: the pid the caller saw no longer names this slot's process.
    expect(supervisor.signal(id, 'SIGKILL', seen)).toEqual({ outcome: 'notRunning', state: 'crashed' });
    await clock.advance(1000);
    const replacement = launcher.current(id);
    expect(replacement.pid).not.toBe(seen);
    expect(supervisor.signal(id, 'SIGKILL', seen)).toEqual({ outcome: 'replaced', pid: replacement.pid });
    expect(replacement.signals).toEqual([]);
    expect(supervisor.signal('catalog-nowhere-0', 'SIGKILL', replacement.pid)).toEqual({ outcome: 'unknown' });
    expect(replacement.alive).toBe(true);
  });

  it('retries a replacement that fails to start, after another delay', async () => {
    setup();
    await supervisor.start();
    const failures: string[] = [];
    supervisor.launchFailed(({ instance, error }) => failures.push(`${instance.id} ${instance.state}: ${error.message}`));
    launcher.failing.add('gateway-us-east-0');
    expect(supervisor.kill('gateway-us-east-0', 'SIGTERM')).toBe(true);
    await clock.advance(1000);
    expect(failures).toEqual(['gateway-us-east-0 crashed: gateway-us-east-0 exited (code 1) before it was ready']);
    launcher.failing.clear();
    await clock.advance(1000);
    expect(supervisor.instance('gateway-us-east-0')).toMatchObject({ state: 'running', restarts: 2 });
  });

  it('stops everything: SIGTERM, SIGKILL after the grace period, pending replacements cancelled, no timer left', async () => {
    setup({ stopGracePeriodMs: 3000 });
    launcher.ignoringSigterm.add('discovery-us-east-0');
    await supervisor.start();
    launcher.current('catalog-us-east-1b-0').die();
    await clock.advance(0);
    expect(clock.pendingTimers).toBe(1); // the replacement

    const stopped = supervisor.stop();
    await clock.advance(2999);
    expect(launcher.current('discovery-us-east-0').alive).toBe(true);
    await clock.advance(1);
    await stopped;

    expect(launcher.current('discovery-us-east-0').signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(launcher.current('gateway-us-east-0').signals).toEqual(['SIGTERM']);
    expect(launcher.processes.every((p) => !p.alive)).toBe(true);
    expect(launcher.launches).toHaveLength(5);
    expect(clock.pendingTimers).toBe(0);
    expect(supervisor.phase).toBe('stopped');
    expect(new Set(supervisor.inventory().map((i) => i.state))).toEqual(new Set(['stopped']));
  });

  it('fails start when an instance fails to start, after stopping the others', async () => {
    setup();
    launcher.failing.add('catalog-us-east-1b-0');
    const error: unknown = await supervisor.start().catch((e: unknown) => e);
    expect(isSimianError(error, 'stack.startFailed')).toBe(true);
    expect((error as Error).message).toBe(
      '1 instance(s) failed to start:\ncatalog-us-east-1b-0 exited (code 1) before it was ready',
    );
    // Its wave's others (the front door among them) were running, and are stopped.
    expect(launcher.processes.map((p) => p.slotId)).toContain('frontdoor-global-0');
    expect(launcher.processes.every((p) => !p.alive)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    expect(supervisor.phase).toBe('stopped');
  });

  it('starts no later wave when one fails', async () => {
    setup();
    launcher.failing.add('discovery-us-east-0');
    const error: unknown = await supervisor.start().catch((e: unknown) => e);
    expect(isSimianError(error, 'stack.startFailed')).toBe(true);
    expect(launcher.launches).toEqual(['discovery-us-east-0']);
  });

  it('aborts launches in progress when stopped during start', async () => {
    setup();
    launcher.neverReady.add('catalog-us-east-1a-0');
    const started = supervisor.start().catch((e: unknown) => e);
    await vi.waitFor(() =>
      expect(supervisor.instance('catalog-us-east-1a-0')).toMatchObject({ state: 'starting', pid: 1002, address: undefined }),
    );
    await supervisor.stop();
    expect(isSimianError(await started, 'stack.stopped')).toBe(true);
    expect(launcher.processes.every((p) => !p.alive)).toBe(true);
    expect(supervisor.instance('catalog-us-east-1a-0')?.state).toBe('stopped');
  });
});
