/**
 * The supervisor with real processes on loopback: each instance is a forked Node process running
 * fixtures/health-instance.ts. Every process a test starts is stopped in afterEach, even when the test fails.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { isSimianError } from '../../src/core/index.js';
import { ChildProcessLauncher, type OutputSink } from '../../src/reference-stack/supervisor/child-process-launcher.js';
import { entryModule } from '../../src/reference-stack/supervisor/entry-module.js';
import type { SupervisedInstance } from '../../src/reference-stack/supervisor/supervised-instance.js';
import { Supervisor } from '../../src/reference-stack/supervisor/supervisor.js';
import { desiredInstances } from '../../src/reference-stack/topology/desired-instances.js';
import { parseTopology } from '../../src/reference-stack/topology/topology.js';
import { CountingClock } from '../support/counting-clock.js';
import { nextEvent } from '../support/next-event.js';
import { isGone, isRunning, killAll, waitUntil } from '../support/processes.js';

const healthInstance = entryModule(new URL('./fixtures/health-instance.ts', import.meta.url));

// Three processes: enough for zones and a per-region service, few enough for a 2-core machine.
const TOPOLOGY_TEXT = [
  'regions: [{ name: us-east, zones: [us-east-1a, us-east-1b] }]',
  'services:',
  '  discovery: { instancesPerRegion: 1 }',
  '  catalog: { instancesPerZone: 1, config: { titles: 5 } }',
  'restartDelayMs: 100',
].join('\n');
const topology = parseTopology(TOPOLOGY_TEXT, 'test.yaml');

const supervisors: Supervisor[] = [];
const children: ChildProcess[] = [];
const pids = new Set<number>();

/** A supervisor of real processes on a clock that counts its live timers; stopped after each test. */
function supervise(
  options: { text?: string; stopGracePeriodMs?: number; output?: OutputSink } = {},
): { supervisor: Supervisor; clock: CountingClock } {
  const clock = new CountingClock();
  const launcher = new ChildProcessLauncher({ entry: healthInstance, output: options.output ?? 'ignore', readyTimeoutMs: 15_000, clock });
  const supervisor = new Supervisor({
    clock,
    topology: options.text ? parseTopology(options.text, 'test.yaml') : topology,
    launcher,
    // One start wave: the waves are the unit tests' business, and each one costs a process start-up here.
    startOrder: [],
    ...(options.stopGracePeriodMs === undefined ? {} : { stopGracePeriodMs: options.stopGracePeriodMs }),
  });
  // Every pid ever launched, so that cleanup can kill what a failed assertion left behind.
  supervisor.launched(({ instance }) => pids.add(instance.pid!));
  supervisors.push(supervisor);
  return { supervisor, clock };
}

async function health(instance: SupervisedInstance): Promise<Record<string, unknown>> {
  const response = await fetch(`${instance.address}/health`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

afterEach(async () => {
  try {
    await Promise.all(supervisors.splice(0).map((s) => s.stop()));
  } finally {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    killAll(pids);
    pids.clear();
  }
});

describe('supervisor (real processes)', () => {
  it('starts every slot as a process whose /health answers with its identity, and stop() leaves none', async () => {
    const { supervisor, clock } = supervise();
    await supervisor.start();
    expect(clock.live).toBe(0); // the launches' readiness timeouts are cancelled

    const inventory = supervisor.inventory();
    expect(inventory.map((i) => [i.id, i.service, i.region, i.zone])).toEqual(
      desiredInstances(topology).map((slot) => [slot.id, slot.service, slot.region, slot.zone]),
    );
    for (const instance of inventory) {
      expect(instance.state).toBe('running');
      expect(instance.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(instance.pid).not.toBe(process.pid);
      expect(isRunning(instance.pid!)).toBe(true);
      expect(await health(instance)).toEqual({
        status: 'ok',
        service: instance.service,
        region: instance.region,
        zone: instance.zone,
        instanceId: instance.id,
        pid: instance.pid,
        config: instance.service === 'catalog' ? { titles: 5 } : {},
      });
    }
    expect(new Set(inventory.map((i) => i.pid)).size).toBe(inventory.length);

    const exits: unknown[] = [];
    supervisor.exited(({ exit, expected }) => exits.push({ exit, expected }));
    await supervisor.stop();
    // SIGTERM, then a graceful exit with code 0 from the instance runtime.
    expect(exits).toEqual(inventory.map(() => ({ exit: { code: 0, signal: null }, expected: true })));
    for (const instance of supervisor.inventory()) {
      expect(instance.state).toBe('stopped');
      expect(isGone(instance.pid!)).toBe(true);
    }
    expect(clock.live).toBe(0);
  });

  it('replaces an instance killed with SIGKILL by a new process in the same slot', async () => {
    const { supervisor, clock } = supervise();
    await supervisor.start();
    const victim = supervisor.instance('catalog-us-east-1a-0')!;

    const exited = nextEvent(supervisor.exited, ({ instance }) => instance.id === victim.id);
    const replaced = nextEvent(supervisor.replaced, ({ current }) => current.id === victim.id);
    process.kill(victim.pid!, 'SIGKILL');
    expect(await exited).toMatchObject({ expected: false, exit: { signal: 'SIGKILL' }, instance: { state: 'crashed' } });
    const { previous, current } = await replaced;

    expect(previous.pid).toBe(victim.pid);
    expect(current.pid).not.toBe(victim.pid);
    expect(current.launchedAt - previous.launchedAt).toBeGreaterThanOrEqual(100);
    expect(current).toMatchObject({ id: victim.id, zone: 'us-east-1a', state: 'running', restarts: 1 });
    expect(isGone(victim.pid!)).toBe(true);
    expect(await health(current)).toMatchObject({ instanceId: victim.id, pid: current.pid });
    expect(supervisor.inventory().filter((i) => i.state === 'running')).toHaveLength(3);

    await supervisor.stop();
    expect(supervisor.inventory().map((i) => isGone(i.pid!))).toEqual([true, true, true]);
    expect(clock.live).toBe(0);
  });

  it('SIGKILLs an instance that ignores SIGTERM once the grace period is over', async () => {
    const { supervisor } = supervise({
      text: 'regions: [{ name: us-east, zones: [us-east-1a] }]\nservices: { catalog: { config: { ignoreSigterm: true } } }',
      stopGracePeriodMs: 300,
    });
    await supervisor.start();
    const exited = nextEvent(supervisor.exited);
    await supervisor.stop();
    const { exit, expected, instance } = await exited;
    expect({ exit, expected }).toEqual({ exit: { code: null, signal: 'SIGKILL' }, expected: true });
    expect(isGone(instance.pid!)).toBe(true);
  });

  it('fails start with the instance\'s last words when one cannot start, and leaves no process', async () => {
    const output: string[] = [];
    const { supervisor } = supervise({
      text: 'regions: [{ name: us-east, zones: [us-east-1a] }]\nservices: { catalog: {}, user: { config: { exitBeforeReady: 3 } } }',
      output: ({ slot, stream, text }) => output.push(`${slot.id} ${stream}: ${text}`),
    });
    const error: unknown = await supervisor.start().catch((e: unknown) => e);
    expect(isSimianError(error, 'stack.startFailed')).toBe(true);
    expect((error as Error).message).toContain('user-us-east-1a-0 exited (code 3) before it was ready:\nuser-us-east-1a-0: failing on purpose');
    expect(output).toEqual(['user-us-east-1a-0 stderr: user-us-east-1a-0: failing on purpose\n']);
    const catalog = supervisor.instance('catalog-us-east-1a-0')!;
    expect(catalog.state).toBe('stopped');
    expect(isGone(catalog.pid!)).toBe(true);
  });

  it('leaves no instance behind when the supervisor\'s own process is killed with SIGKILL', async () => {
    const script = entryModule(new URL('./fixtures/supervisor-main.ts', import.meta.url));
    const child = fork(script.path, [TOPOLOGY_TEXT], { execArgv: [...script.execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    const started = await new Promise<{ inventory: SupervisedInstance[] }>((resolve, reject) => {
      child.once('message', (message) => resolve(message as { inventory: SupervisedInstance[] }));
      child.once('exit', (code, signal) => reject(new Error(`the supervisor process exited early (${code ?? signal})`)));
    });
    const instancePids = started.inventory.map((i) => i.pid!);
    instancePids.forEach((pid) => pids.add(pid));
    expect(instancePids).toHaveLength(3);
    expect(instancePids.every(isRunning)).toBe(true);

    const supervisorExited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid!, 'SIGKILL');
    await supervisorExited;
    await waitUntil(() => !instancePids.some(isRunning), 'every instance of the killed supervisor has exited', {
      timeoutMs: 10_000,
    });
  });
});
