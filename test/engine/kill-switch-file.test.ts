import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/manual-clock.js';
import { isKillSwitchEngaged } from '../../src/monkeys/safety/kill-switch.js';
import { engageKillSwitchFile } from '../../src/engine/kill-switch-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('engageKillSwitchFile', () => {
  it('creates the file, and its owner-only folder, saying who engaged it and when', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simian-kill-switch-'));
    dirs.push(dir);
    const file = join(dir, 'state', 'nested', 'kill-switch');
    const safety = { killSwitch: false, killSwitchFile: file };
    expect(await isKillSwitchEngaged(safety)).toBe(false);
    const clock = new ManualClock(Date.UTC(2026, 11, 2, 4, 30));
    expect(await engageKillSwitchFile(safety, { clock, by: 'simian gameday (pid 42)' })).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe('engaged by simian gameday (pid 42) at 2026-12-02T04:30:00.000Z\n');
    expect(statSync(join(dir, 'state', 'nested')).mode & 0o777).toBe(0o700);
    // What every pipeline checks before a fault now says engaged.
    expect(await isKillSwitchEngaged(safety)).toBe(true);
  });

  it('refuses, writing nothing, when the configuration names no kill-switch file', async () => {
    const clock = new ManualClock();
    await expect(engageKillSwitchFile({}, { clock, by: 'x' })).rejects.toMatchObject({ code: 'killSwitch.noFile', message: expect.stringContaining('safety.killSwitchFile') });
  });
});
