/**
 * @module
 * Engaging the kill switch: creating the kill-switch file, which every pipeline checks before a fault and every
 * holder of a fault watches. `simian kill-switch engage` and the console's halt both pull this lever.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '../core/clock.js';
import { SimianError } from '../core/errors.js';

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
