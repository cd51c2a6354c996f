import { createAdaptorServer } from '@hono/node-server';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { doctorSubcommand, type DoctorRun } from '../../src/cli/monkeys/doctor-command.js';
import type { CommandDeps } from '../../src/cli/command-deps.js';
import { platformProviders } from '../../src/engine/provider-registry.js';
import { systemClock } from '../../src/core/clock.js';
import { ManualClock } from '../../src/core/manual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import type { AdminInstance } from '../../src/providers/local/local-provider.js';
import { createDiscoveryService } from '../../src/reference-stack/discovery/discovery-service.js';
import { createServiceApp } from '../../src/reference-stack/service-kit/service-app.js';
import type { ServiceName } from '../../src/reference-stack/service-kit/identity.js';
import { createStackAdminApi } from '../../src/reference-stack/stack/stack-admin-api.js';
import { writeStackState } from '../../src/reference-stack/stack/stack-state.js';
import { writeStackToken } from '../../src/reference-stack/stack/stack-token.js';
import { StateStore } from '../../src/state/state-store.js';
import { isRunning } from '../support/processes.js';

/**
 * A fake local stack: real loopback services (the real discovery app, service apps, one that answers 500), the
 * real admin API listing them, and a sleeping child process per instance so that an unleashed run kills something
 * real (the admin API's terminate signals the child the fake supervisor holds).
 */
const STACK_TOKEN = 'doctor-cli-test-stack-token-0123456789';
const servers: Server[] = [];
const children: ChildProcess[] = [];
let stateDir = '';
let listed: AdminInstance[] = [];

async function listen(server: Server): Promise<string> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function sleeper(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  return child;
}

async function slot(id: string, service: ServiceName, address: string): Promise<AdminInstance> {
  const child = await sleeper();
  return { id, service, region: 'us-east', zone: id.includes('1b') ? 'us-east-1b' : 'us-east-1a', pid: child.pid!, publicAddress: address, launchedAt: 0, state: 'running', restarts: 0 };
}

function serviceApp(service: ServiceName): Promise<string> {
  const { app } = createServiceApp({ identity: { service, region: 'us-east', zone: 'us-east-1a', instanceId: `${service}-x` }, routes: () => undefined });
  return listen(createAdaptorServer({ fetch: app.fetch }) as Server);
}

let instances: Record<'discovery' | 'catalog0' | 'catalog1' | 'gateway', AdminInstance>;

beforeEach(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'simian-doctor-cli-'));
  // Leases on a clock that stands still: registrations stay for the whole test.
  const discovery = createDiscoveryService({
    identity: { service: 'discovery', region: 'us-east', zone: 'us-east-1a', instanceId: 'discovery-us-east-1a-0' },
    clock: new ManualClock(),
    stackToken: STACK_TOKEN,
  });
  const discoveryUrl = await listen(createAdaptorServer({ fetch: discovery.app.fetch }) as Server);
  instances = {
    discovery: await slot('discovery-us-east-1a-0', 'discovery', discoveryUrl),
    catalog0: await slot('catalog-us-east-1a-0', 'catalog', await serviceApp('catalog')),
    catalog1: await slot('catalog-us-east-1b-0', 'catalog', await listen(createServer((_req, res) => res.writeHead(500).end('boom')))),
    gateway: await slot('gateway-us-east-1a-0', 'gateway', await serviceApp('gateway')),
  };
  for (const i of [instances.catalog0, instances.catalog1, instances.gateway]) {
    const registration = { instanceId: `${i.id}@${i.pid}`, service: i.service, region: i.region, zone: i.zone, address: i.publicAddress };
    const answer = await fetch(new URL('/v1/instances', discoveryUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${STACK_TOKEN}` },
      body: JSON.stringify(registration),
    });
    expect(answer.status).toBe(201);
  }
  listed = Object.values(instances);
  const admin = createStackAdminApi({
    stackToken: STACK_TOKEN,
    inventory: () => listed,
    metrics: async () => '',
    signal: (id, signal, pid) => {
      const slot = listed.find((i) => i.id === id);
      if (!slot) return { outcome: 'unknown' };
      if (slot.pid !== pid) return { outcome: 'replaced', pid: slot.pid! };
      const child = children.find((c) => c.pid === pid);
      return child?.kill(signal) ? { outcome: 'signalled', pid } : { outcome: 'notRunning', state: 'crashed' };
    },
  });
  const adminUrl = await listen(createAdaptorServer({ fetch: admin.fetch }) as Server);
  // The stack process is this one: alive for as long as the test runs.
  writeStackState(stateDir, { pid: process.pid, topology: 'test', frontDoorUrl: undefined, toxiproxyUrl: 'http://127.0.0.1:9', adminUrl, startedAt: 0 });
  writeStackToken(stateDir, STACK_TOKEN);
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
  rmSync(stateDir, { recursive: true, force: true });
});

/** Runs `simian monkey doctor …` in-process, as the program would once it registers the subcommand. */
async function run(args: readonly string[]): Promise<{ out: string; err: string; error: unknown }> {
  let out = '';
  let err = '';
  const deps: CommandDeps = {
    version: '0.0.0',
    writeOut: (t) => (out += t),
    writeErr: (t) => (err += t),
    clock: systemClock,
    random: new SeededRandom(1),
    providers: platformProviders({ clock: systemClock, random: new SeededRandom(1) }),
    pid: process.pid,
    signals: process,
  };
  const program = new Command('simian').exitOverride().configureOutput({ writeOut: deps.writeOut, writeErr: deps.writeErr });
  const monkey = new Command('monkey');
  const doctor = doctorSubcommand(deps);
  program.addCommand(monkey.addCommand(doctor));
  monkey.copyInheritedSettings(program);
  doctor.copyInheritedSettings(monkey);
  let error: unknown;
  try {
    await program.parseAsync(['monkey', 'doctor', ...args], { from: 'user' });
  } catch (e) {
    error = e;
  }
  return { out, err, error };
}

describe('simian monkey doctor --provider local', () => {
  it('leashed by default: lists the sick with their findings, reports the decision, kills nothing, records a dry run', async () => {
    const { out, error } = await run(['--provider', 'local', '--state-dir', stateDir]);
    expect(error).toBeUndefined();
    expect(out).toContain('examined 4 instances: 3 healthy, 1 sick, 0 unknown');
    expect(out).toMatch(/catalog-us-east-1b-0\s+catalog\s+us-east-1b\s+sick\s+health: http:\/\/127\.0\.0\.1:\d+\/health answered HTTP 500/);
    expect(out).not.toContain('catalog-us-east-1a-0');
    expect(out).toContain('skipped (leashed): leashed: would terminate catalog-us-east-1b-0');
    expect(children.every((c) => isRunning(c.pid!))).toBe(true);

    const store = StateStore.open(join(stateDir, 'simian.db'), { clock: systemClock, readOnly: true });
    try {
      expect(store.history()).toMatchObject([{ type: 'termination', monkey: 'doctor', group: 'catalog', instanceId: 'catalog-us-east-1b-0', decision: 'dry-run' }]);
    } finally {
      store.close();
    }
  });

  it('--json prints the report and the decisions', async () => {
    const { out, error } = await run(['--provider', 'local', '--state-dir', stateDir, '--json', '--timeout', '5s']);
    expect(error).toBeUndefined();
    const report = JSON.parse(out) as DoctorRun;
    expect(report).toMatchObject({ monkey: 'doctor', provider: 'local', leashed: true, report: { totals: { examined: 4, healthy: 3, sick: 1, unknown: 0 } } });
    expect(report.report.instances.find((i) => i.id === 'catalog-us-east-1a-0')!.findings.map((f) => [f.check, f.ok])).toEqual([
      ['health', true],
      ['registration', true],
      ['restart-loop', true],
    ]);
    expect(report.treatments).toMatchObject([{ scope: 'catalog', decision: { outcome: 'skipped', reason: 'leashed' }, victims: [{ id: 'catalog-us-east-1b-0', pid: instances.catalog1.pid }] }]);
  });

  it('--unleash terminates exactly the sick instance’s process through the pipeline', async () => {
    const sick = children.find((c) => c.pid === instances.catalog1.pid)!;
    const exited = once(sick, 'exit');
    const { out, error } = await run(['--provider', 'local', '--state-dir', stateDir, '--unleash']);
    expect(error).toBeUndefined();
    expect(out).toContain(`executed: terminated catalog-us-east-1b-0 (pid ${instances.catalog1.pid}) [catalog]`);
    expect(await exited).toEqual([null, 'SIGKILL']);
    expect(children.filter((c) => c !== sick).every((c) => isRunning(c.pid!))).toBe(true);
  });

  it('says so when every instance is healthy', async () => {
    listed = [instances.discovery, instances.catalog0, instances.gateway];
    const { out, error } = await run(['--provider', 'local', '--state-dir', stateDir, '--unleash']);
    expect(error).toBeUndefined();
    expect(out).toBe('all 3 instances healthy\n');
  });

  it('fails with a SimianError when no stack is running, and refuses a bad --timeout', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'simian-doctor-cli-empty-'));
    try {
      const { error } = await run(['--provider', 'local', '--state-dir', empty]);
      expect(error).toMatchObject({ code: 'stack.notRunning' });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const bad = await run(['--provider', 'local', '--state-dir', stateDir, '--timeout', 'soon']);
    expect(bad.error).toBeInstanceOf(CommanderError);
    expect(bad.err).toContain('--timeout');
    const noProvider = await run(['--state-dir', stateDir]);
    expect(noProvider.error).toBeInstanceOf(CommanderError);
    expect(noProvider.err).toContain('--provider');
  });
});
