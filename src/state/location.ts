/**
 * @module
 * Checks where a state store file may go, before SQLite creates anything. The store never creates folders: a
 * mistyped path in the config must be an error naming it, not a fresh empty store somewhere unexpected.
 */
import { accessSync, constants, rmSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isSimianError } from '../core/errors.js';
import { STATE_UNWRITABLE, unopenableStore } from './errors.js';

/** The special path of a throwaway in-memory store (tests). */
export const IN_MEMORY = ':memory:';

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // ENOTDIR (a parent is a file), EACCES...: the path cannot be used; say so with the system's reason.
    throw error;
  }
}

/** The database file and the companions SQLite may create next to it. */
function companions(path: string): string[] {
  return ['', '-wal', '-shm', '-journal'].map((suffix) => `${path}${suffix}`);
}

/**
 * Throws unless `path` can hold the store. Returns which of the store's files did not exist yet, so that a failed
 * open can remove exactly what it created and nothing else.
 *
 * @throws {InvalidInputError} `state.unwritable`, naming the path.
 */
export function checkLocation(path: string, readOnly: boolean): { absent: readonly string[] } {
  if (path === IN_MEMORY) return { absent: [] };
  const folder = dirname(resolve(path));
  try {
    const folderStats = statOrUndefined(folder);
    if (!folderStats) throw unopenableStore(path, `folder ${folder} does not exist`);
    if (!folderStats.isDirectory()) throw unopenableStore(path, `${folder} is not a folder`);
    const fileStats = statOrUndefined(path);
    if (fileStats && !fileStats.isFile()) throw unopenableStore(path, 'it is not a regular file');
    if (readOnly && !fileStats) throw unopenableStore(path, 'it does not exist (opened read-only)');
    // SQLite writes its -wal and -shm files next to the database, so the folder must be writable, not only the file.
    if (!readOnly) accessSync(folder, constants.W_OK);
    // SQLite would silently open a read-only file read-only; refuse here instead of failing at the first fault.
    if (!readOnly && fileStats) accessSync(path, constants.W_OK);
    return { absent: companions(path).filter((file) => statOrUndefined(file) === undefined) };
  } catch (error) {
    if (isSimianError(error, STATE_UNWRITABLE)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw unopenableStore(path, `cannot be used: ${reason}`, error);
  }
}

/**
 * Removes the files a failed open created (those `absent` before it). Best effort: the open's own error is the one
 * worth reporting, and a file that cannot be removed is no reason to hide it.
 */
export function removeCreated(absent: readonly string[]): void {
  for (const file of absent) {
    try {
      rmSync(file, { force: true });
    } catch {
      // Left in place; the open error already names the path.
    }
  }
}
