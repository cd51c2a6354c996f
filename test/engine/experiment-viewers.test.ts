/**
 * The wiring of the viewers an experiment's `load` declares: refused before anything is opened when there is no
 * front door to send them through, left out when the front end drives its own, and otherwise the load generator
 * against `${frontDoor}`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { systemClock } from '../../src/core/clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { EngineEvents } from '../../src/engine/events.js';
import { experimentRunnerDeps, NO_FRONT_DOOR, viewerFrontDoors, type ExperimentWiringOptions } from '../../src/engine/experiment-run.js';
import { writeStackState } from '../../src/reference-stack/stack/stack-state.js';
import type { ProviderRegistry } from '../../src/engine/provider-registry.js';
import { MemoryProvider } from '../../src/providers/memory/memory-provider.js';
import { parseExperiment } from '../../src/runner/load-experiment.js';
import { loopbackServers } from '../support/loopback-servers.js';

const dirs: string[] = [];
const closers: (() => unknown)[] = [];
const servers = loopbackServers();
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await servers.closeAll();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const FILE = ['title: kill one', 'steady-state:', '  probes: [{ http: { url: "http://127.0.0.1:9/health" } }]', 'method:', '  - chaos: { group: api }'];

/** Wiring options over a state directory where no stack runs (and which does not exist yet). */
function wiring(lines: readonly string[], overrides: Partial<ExperimentWiringOptions> = {}): ExperimentWiringOptions & { stateDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'simian-viewers-'));
  dirs.push(dir);
  const stateDir = join(dir, 'state');
  const provider = new MemoryProvider({ name: 'local', instances: [] });
  const providers: ProviderRegistry = { create: () => provider, forRevert: () => provider };
  return {
    stateDir,
    config: parseConfig(`stateDir: ${stateDir}\n`, { baseDir: dir }),
    experiment: parseExperiment(`${lines.join('\n')}\n`, 'kill.yaml', dir),
    variables: {},
    providers,
    clock: systemClock,
    random: new SeededRandom(3),
    events: new EngineEvents(),
    ...overrides,
  };
}

async function open(options: ExperimentWiringOptions) {
  const session = await experimentRunnerDeps(options);
  closers.push(() => session.close());
  return session;
}

describe('the viewers of an experiment run', () => {
  it('are refused with no front door (exit 2, the file and line of load), before anything is opened', async () => {
    const refused = wiring([...FILE, 'load: { rate: 6 }']);
    const error = await experimentRunnerDeps(refused).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: NO_FRONT_DOOR, exitCode: 2 });
    expect((error as Error).message).toMatch(/^kill\.yaml:6: load: the run sends its viewers through the reference stack's front door, and no stack runs in .*: start it \("simian stack up --detach"\), or give --var frontDoor=URL$/);
    // The fault run (its state store in the state directory) was never opened.
    expect(existsSync(refused.stateDir)).toBe(false);
    // The same file without load opens it: the check above can tell.
    const plain = wiring(FILE);
    await open(plain);
    expect(existsSync(plain.stateDir)).toBe(true);
  });

  it('are left to the front end with viewers: none, which needs no front door', async () => {
    const session = await open(wiring([...FILE, 'load: { rate: 6 }'], { viewers: 'none' }));
    expect(session.deps.viewers).toBeUndefined();
  });

  it('are not wired for a file without load', async () => {
    const session = await open(wiring(FILE, { variables: { frontDoor: 'http://127.0.0.1:9' } }));
    expect(session.deps.viewers).toBeUndefined();
  });

  it('play the load generator through ${frontDoor} until stopped, and count what they saw', async () => {
    const paths: string[] = [];
    const frontDoor = await servers.listen(
      createServer((request, response) => {
        paths.push(request.url ?? '');
        response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"closed for the test"}');
      }),
    );
    const session = await open(wiring([...FILE, 'load: { rate: 20, segments: 1, subscribe: 0 }'], { variables: { frontDoor } }));
    expect(session.deps.viewers).toBeDefined();
    const stop = new AbortController();
    const viewers = session.deps.viewers!({ rate: 20, segments: 1, subscribe: 0 }, stop.signal);
    await vi.waitFor(() => expect(paths.filter((p) => p === '/api/login').length).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 20 });
    stop.abort();
    const summary = await viewers.stop();
    expect(summary).toMatchObject({ sessions: expect.any(Number), successRatio: 0 });
    expect(summary!.requests).toBeGreaterThanOrEqual(3);
    expect(summary!.failures).toBe(summary!.requests);
  });

  it('fail over between the stack\'s front doors, and so do probes and actions', async () => {
    const dead = createTcpServer((socket) => socket.destroy());
    dead.listen(0, '127.0.0.1');
    await new Promise((resolve) => dead.once('listening', resolve));
    closers.push(() => new Promise((resolve) => dead.close(resolve)));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
    const paths: string[] = [];
    const live = await servers.listen(
      createServer((request, response) => {
        paths.push(request.url ?? '');
        response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"closed for the test"}');
      }),
    );
    const options = wiring([...FILE, 'load: { rate: 20, segments: 1, subscribe: 0 }']);
    writeStackState(options.stateDir, {
      pid: process.pid,
      topology: 'test',
      frontDoorUrl: deadUrl,
      frontDoorUrls: [deadUrl, live],
      toxiproxyUrl: 'http://127.0.0.1:9',
      adminUrl: 'http://127.0.0.1:9',
      startedAt: 0,
    });
    const session = await open(options);
    expect(session.deps.variables).toMatchObject({ frontDoor: deadUrl, frontDoors: `${deadUrl},${live}` });
    // A probe of ${frontDoor}/health is answered by the front door that is alive.
    expect((await session.deps.fetch!(`${deadUrl}/health`)).status).toBe(503);
    expect(paths).toEqual(['/health']);
    const stop = new AbortController();
    const viewers = session.deps.viewers!({ rate: 20, segments: 1, subscribe: 0 }, stop.signal);
    await vi.waitFor(() => expect(paths.filter((p) => p === '/api/login').length).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 20 });
    stop.abort();
    await viewers.stop();
  });
});

describe('viewerFrontDoors', () => {
  const stack = { frontDoorUrl: 'http://127.0.0.1:1', frontDoorUrls: ['http://127.0.0.1:1', 'http://127.0.0.1:2'] } as const;
  it('puts ${frontDoor} first, then the stack\'s other front doors', () => {
    const state = { ...stack, pid: 1, topology: 't', toxiproxyUrl: '', adminUrl: '', startedAt: 0 };
    expect(viewerFrontDoors('http://127.0.0.1:2', state)).toEqual(['http://127.0.0.1:2', 'http://127.0.0.1:1']);
    expect(viewerFrontDoors('http://127.0.0.1:1/', state)).toEqual(['http://127.0.0.1:1/', 'http://127.0.0.1:2']);
    // A --var frontDoor elsewhere is used alone.
    expect(viewerFrontDoors('http://elsewhere:8080', state)).toEqual(['http://elsewhere:8080']);
    expect(viewerFrontDoors(undefined, state)).toEqual([]);
    expect(viewerFrontDoors('http://127.0.0.1:1', undefined)).toEqual(['http://127.0.0.1:1']);
  });
});
