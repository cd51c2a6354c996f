/**
 * @module
 * Files only their owner may read: the state directory holds the stack's token, the addresses and pids of a stack
 * that can be broken at will, journals that quote probes and a state store of every fault. Modes are set with
 * chmod after creating, because the mode given to open or mkdir is narrowed by the umask, and a umask may also
 * leave more than we asked for out (0277 would make a file its owner cannot write again).
 */
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Read and write for the owner only. */
export const PRIVATE_FILE_MODE = 0o600;

/** Read, write and enter for the owner only. */
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Creates `dir` and any missing parent, each owner-only (0700). A folder that exists already keeps its mode: it
 * may be the operator's, and its files are protected by their own mode.
 *
 * @example
 * makePrivateDir('.simian'); // drwx------ when it did not exist
 */
export function makePrivateDir(dir: string): void {
  const target = resolve(dir);
  const created = mkdirSync(target, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (created === undefined) return;
  // mkdirSync returns the first folder it created: that one and everything below it on the way to `dir` are new.
  const first = resolve(created);
  for (let folder = target; ; folder = dirname(folder)) {
    chmodSync(folder, PRIVATE_DIR_MODE);
    if (folder === first || dirname(folder) === folder) break;
  }
}

/**
 * Creates `path` empty and owner-only (0600) if it does not exist yet; an existing file is left as it is.
 * SQLite gives its `-wal` and `-shm` files the mode of the database file, so a store created this way keeps all
 * three private.
 *
 * @returns whether the file was created
 */
export function createPrivateFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Writes `text` to `path` atomically and owner-only (0600): a temporary file beside it is written, made private,
 * flushed and renamed over `path`, so a reader never sees half a file nor, for an instant, a readable one. The
 * folder must exist.
 */
export function writePrivateFile(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', PRIVATE_FILE_MODE);
  try {
    // A temporary file left by a crash keeps its old mode through 'w': set it before anything is written.
    chmodSync(temporary, PRIVATE_FILE_MODE);
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, path);
}
