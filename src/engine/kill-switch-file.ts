/**
 * @module
 * Engaging the kill switch: creating the kill-switch file, which every pipeline checks before a fault and every
 * holder of a fault watches. `simian kill-switch engage` and the console's halt both pull this lever.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '../core/clock.js';
import { SimianError } from '../core/errors.js';
import { killSwitchReason } from '../monkeys/safety/kill-switch-watch.js';
import type { SafetyConfig } from '../monkeys/safety/safety-config.js';

/**
 * Creates the kill-switch file (its folder owner-only), saying who engaged it and when; resolves with its path.
 *
 * @throws SimianError `killSwitch.noFile` when the configuration names no kill-switch file
 */
export async function engageKillSwitchFile(safety: { readonly killSwitchFile?: string }, options: { readonly clock: Clock; readonly by: string }): Promise<string> {
  const file = safety.killSwitchFile;
  if (file === undefined) throw new SimianError('killSwitch.noFile', 'the configuration names no kill-switch file (safety.killSwitchFile)');
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `engaged by ${options.by} at ${new Date(options.clock.now()).toISOString()}\n`);
  return file;
}

/** The kill switch after a release: still engaged when `killSwitch: true` in the configuration holds it. */
export interface KillSwitchRelease {
  readonly file: string;
  /** Why it is still engaged, when it is. */
  readonly stillEngaged?: string;
}

/** Removes the kill-switch file and says whether the switch is now released. */
export async function releaseKillSwitchFile(safety: SafetyConfig): Promise<KillSwitchRelease> {
  const file = safety.killSwitchFile!;
  await rm(file, { force: true });
  const still = await killSwitchReason(safety);
  return { file, ...(still ? { stillEngaged: still } : {}) };
}
