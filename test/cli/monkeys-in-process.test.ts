/**
 * The monkey commands driven in-process through `createProgram`, on an in-memory platform handed to the program as
 * its provider registry: the same flags, config, state store, safety pipeline and output as the binary, without a
 * stack. (test/integration/monkeys-on-stack.test.ts runs them against the real stack.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgram } from '../../src/cli/program.js';
import { FakeSignals } from '../support/fake-signals.js';
import { systemClock } from '../../src/core/clock.js';
import type { Instance } from '../../src/core/model.js';
import { SeededRandom } from '../../src/core/random.js';
import type { ProviderRegistry } from '../../src/engine/provider-registry.js';
import { MemoryProvider } from '../../src/providers/memory/memory-provider.js';

function instance(id: string, group: string, zone: string): Instance {
  return { id, group, region: 'r-1', zone, state: 'running', launchedAt: 0, tags: { 'simian/opt-in': 'true' } };
}


describe('simian monkey …, in-process', () => {
  let stateDir: string;
  let platform: MemoryProvider;
  let signals: FakeSignals;

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'simian-monkeys-'));
    platform = new MemoryProvider({
      name: 'local',
      instances: [instance('api-1', 'api', 'r-1a'), instance('api-2', 'api', 'r-1b'), instance('api-3', 'api', 'r-1c'), instance('web-1', 'web', 'r-1a')],
    });
    signals = new FakeSignals();
  });
  afterEach(() => {
    // A signal makes the command set the exit code a shell expects; the test runner's must not inherit it.
    process.exitCode = undefined;
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function simian(args: readonly string[]): Promise<{ out: string; err: string; error: unknown }> {
    let out = '';
    let err = '';
    const providers: ProviderRegistry = { create: () => platform, forRevert: () => platform };
    const program = createProgram({ version: '0', writeOut: (t) => (out += t), writeErr: (t) => (err += t), clock: systemClock, random: new SeededRandom(7), providers, signals });
    let error: unknown;
    try {
      await program.parseAsync([...args, '--state-dir', stateDir], { from: 'user' });
    } catch (e) {
      error = e;
    }
    return { out, err, error };
  }

  it('chaos is leashed by default: it names a victim, kills nothing, and history shows the dry run', async () => {
    const { out, error } = await simian(['monkey', 'chaos', '--provider', 'local', '--json']);
    expect(error).toBeUndefined();
    expect(JSON.parse(out)).toMatchObject({ decision: { outcome: 'skipped', reason: 'leashed' } });
    expect(platform.calls).toEqual([]);
    const history = JSON.parse((await simian(['history', '--json'])).out) as { type: string; decision: string }[];
    expect(history).toEqual([expect.objectContaining({ type: 'termination', decision: 'dry-run' })]);
  });

  it('chaos --unleash terminates one instance through the pipeline; a second run is skipped, and history shows both', async () => {
    const first = await simian(['monkey', 'chaos', '--provider', 'local', '--unleash', '--group', 'api', '--json']);
    expect(first.error).toBeUndefined();
    expect(platform.calls.map((c) => c.method)).toEqual(['terminate']);
    const second = await simian(['monkey', 'chaos', '--provider', 'local', '--unleash', '--group', 'api', '--json']);
    expect(JSON.parse(second.out)).toMatchObject({ decision: { outcome: 'skipped', reason: 'min-interval' } });
    expect(platform.calls).toHaveLength(1);
    const { out } = await simian(['history']);
    expect(out).toMatch(/skipped \(min-interval\)/);
    expect(out).toMatch(/terminate +executed/);
  });

  it('an attended latency fault reverts on SIGINT, says so, and history records the signal', async () => {
    const running = simian(['monkey', 'latency', '--provider', 'local', '--unleash', '--instance', 'api-1', '--latency', '200ms', '--duration', '10m']);
    await vi.waitFor(() => expect(platform.activeActions()).toHaveLength(1), { timeout: 10_000 });
    await vi.waitFor(() => expect(signals.count).toBeGreaterThan(0));
    signals.emit('SIGINT');
    const { out, err, error } = await running;
    expect(error).toBeUndefined();
    expect(platform.activeActions()).toEqual([]);
    expect(process.exitCode).toBe(130);
    const faultId = /reverted: (\S+) \(on SIGINT\)/.exec(out)?.[1];
    expect(faultId, out).toBeDefined();
    expect(err).toContain(`SIGINT: reverting fault ${faultId}`);
    const history = JSON.parse((await simian(['history', '--json'])).out) as { id?: string; revert?: { trigger: string } }[];
    expect(history.find((e) => e.id === faultId)?.revert).toMatchObject({ outcome: 'reverted', trigger: 'signal' });
  });
});
