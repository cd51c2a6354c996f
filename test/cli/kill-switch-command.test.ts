import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killSwitchCommand } from '../../src/cli/commands/kill-switch.js';
import { createProgram } from '../../src/cli/program.js';
import { ManualClock } from '../../src/core/manual-clock.js';
import { StateStore } from '../../src/state/state-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function simian(args: string[]) {
  let out = '';
  const program = createProgram({ version: 't', writeOut: (t) => (out += t), writeErr: () => undefined, clock: new ManualClock() }, [killSwitchCommand]);
  const error = await program.parseAsync(args, { from: 'user' }).then(
    () => undefined,
    (e: unknown) => e as { code?: string; exitCode?: number },
  );
  return { out, error };
}

describe('simian kill-switch', () => {
  it('engage creates <state dir>/kill-switch and ends every recorded fault; status says so; release removes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simian-kill-switch-cli-'));
    dirs.push(dir);
    const clock = new ManualClock();
    const store = StateStore.open(join(dir, 'simian.db'), { clock });
    // A detached fault on the local stack, whose stack is gone: the lever closes it rather than leave it active.
    store.recordFault({ id: 'latency-1', kind: 'latency', targets: ['web-0'], startedAt: clock.now(), expiresAt: clock.now() + 600_000, parameters: {}, group: 'web', monkey: 'latency', provider: 'local' });
    store.close();

    const engaged = await simian(['kill-switch', 'engage', '--json', '--state-dir', dir]);
    expect(engaged.error).toBeUndefined();
    expect(existsSync(join(dir, 'kill-switch'))).toBe(true);
    expect(JSON.parse(engaged.out)).toMatchObject({ engaged: true, file: join(dir, 'kill-switch'), reverted: [{ faultId: 'latency-1', outcome: 'gone' }] });
    const reopened = StateStore.open(join(dir, 'simian.db'), { clock });
    expect(reopened.activeFaults()).toEqual([]);
    expect(reopened.fault('latency-1')?.revert).toMatchObject({ trigger: 'kill-switch' });
    reopened.close();

    expect((await simian(['kill-switch', 'status', '--state-dir', dir])).out).toBe(`engaged: the kill switch is engaged: ${join(dir, 'kill-switch')} exists\n`);
    expect((await simian(['kill-switch', 'release', '--state-dir', dir])).out).toBe(`kill switch released: ${join(dir, 'kill-switch')} removed\n`);
    expect(existsSync(join(dir, 'kill-switch'))).toBe(false);
    expect(JSON.parse((await simian(['kill-switch', 'status', '--json', '--state-dir', dir])).out)).toMatchObject({ engaged: false });
  });
});
