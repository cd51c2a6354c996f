/**
 * `simian stack up|status|down` driven in-process through `createProgram`, with Ctrl-C sent through the program's
 * signal source: the stack host of the engine runs in the test's own process, its instances are real processes.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createProgram } from '../../src/cli/program.js';
import { FakeSignals } from '../support/fake-signals.js';
import { isProcessAlive } from '../../src/core/process-alive.js';
import { stackStatePath } from '../../src/reference-stack/stack/stack-state.js';


describe('simian stack, in-process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simian-stack-'));
  // The state directory comes from simian.yaml, as it would for every other command run with this config.
  const config = join(dir, 'simian.yaml');
  const stateDir = join(dir, 'state');
  const signals = new FakeSignals();
  let upOut = '';
  let upErr = '';
  let up: Promise<unknown> | undefined;

  async function simian(args: readonly string[]): Promise<{ out: string; err: string; error: unknown }> {
    let out = '';
    let err = '';
    let error: unknown;
    try {
      await createProgram({ version: '0', writeOut: (t) => (out += t), writeErr: (t) => (err += t), signals }).parseAsync(args, { from: 'user' });
    } catch (e) {
      error = e;
    }
    return { out, err, error };
  }

  beforeAll(async () => {
    writeFileSync(config, 'stateDir: state\n');
    up = createProgram({ version: '0', writeOut: (t) => (upOut += t), writeErr: (t) => (upErr += t), signals })
      .parseAsync(['stack', 'up', '--topology', 'small', '--config', config], { from: 'user' })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    await vi.waitFor(() => expect(upOut, upErr).toContain('Ctrl-C stops the stack.'), { timeout: 90_000, interval: 200 });
  }, 100_000);

  afterAll(async () => {
    // Whatever happened above, the stack stops (its instances with it) before the test ends.
    signals.emit('SIGINT');
    await up;
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('comes up with progress on stderr, and status through the same config lists every instance running', async () => {
    expect(upErr).toContain('simian: stack: starting the "small" stack');
    expect(upErr).toMatch(/simian: stack: \d+ of \d+ instances up/);
    // A few progress lines, not one per instance.
    expect(upErr.split('\n').filter((line) => line.includes('instances up')).length).toBeLessThanOrEqual(5);
    expect(upErr).not.toMatch(/^simian: \S+ up/m);
    expect(existsSync(stackStatePath(stateDir))).toBe(true);
    const { out, error } = await simian(['stack', 'status', '--json', '--config', config]);
    expect(error).toBeUndefined();
    const status = JSON.parse(out) as { pid: number; instances: { id: string; state: string; pid: number }[] };
    expect(status.pid).toBe(process.pid);
    expect(status.instances.length).toBeGreaterThan(3);
    expect(status.instances.every((i) => i.state === 'running')).toBe(true);
  });

  it('reports an instance killed from outside as down, then replaced, and stops every process on Ctrl-C', async () => {
    const before = JSON.parse((await simian(['stack', 'status', '--json', '--config', config])).out) as { instances: { id: string; service: string; pid: number }[] };
    const victim = before.instances.find((i) => i.service === 'catalog')!;
    process.kill(victim.pid, 'SIGKILL');
    await vi.waitFor(() => expect(upErr).toContain(`simian: ${victim.id} replaced`), { timeout: 30_000, interval: 200 });
    expect(upErr).toContain(`simian: ${victim.id} down`);

    const pids = (JSON.parse((await simian(['stack', 'status', '--json', '--config', config])).out) as { instances: { pid: number }[] }).instances.map((i) => i.pid);
    signals.emit('SIGINT');
    expect(await up).toBeUndefined();
    expect(upErr).toContain('simian: stack: stopping');
    expect(pids.filter((pid) => isProcessAlive(pid))).toEqual([]);
    expect(existsSync(stackStatePath(stateDir))).toBe(false);
    const { error } = await simian(['stack', 'status', '--config', config]);
    expect((error as Error).message).toContain('no stack is running');
  }, 60_000);
});
