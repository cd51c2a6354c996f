/**
 * @module
 * The kill switch: a flag in the config, or a file anyone on the box can `touch` during an incident without
 * editing configuration or knowing where the daemon runs.
 */
import { access } from 'node:fs/promises';

/** Answers whether a path exists; injected so tests need no files. A failure other than "absent" throws. */
export type FileExists = (path: string) => Promise<boolean>;

/** Checks the real filesystem. Only "no such file" means absent; a permission error is "cannot tell" and throws. */
export const fileExists: FileExists = async (path) => {
  try {
    await access(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
};

/** Whether the kill switch is engaged: the flag is set, or the file is configured and exists. */
export async function isKillSwitchEngaged(
  config: { readonly killSwitch: boolean; readonly killSwitchFile?: string },
  exists: FileExists = fileExists,
): Promise<boolean> {
  if (config.killSwitch) return true;
  return config.killSwitchFile !== undefined && (await exists(config.killSwitchFile));
}
