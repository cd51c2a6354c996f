/**
 * @module
 * One stack per state directory. The process that runs the stack holds `<state dir>/stack.lock` for as long as it
 * lives: an exclusive SQLite lock (an fcntl lock the kernel drops when the process ends, however it ends). So a lock
 * whose holder died is free again at once — no pid to check, and a reused pid cannot pass for a live holder — and
 * two `simian stack up` started at the same moment cannot both take it. The holder writes its pid beside the lock
 * (`stack.owner`) so that others can name it and `simian stack down` can stop it.
 *
 * The lock file is never deleted: a process that opened it just before the deletion would lock a file that no
 * longer has a name, while a third one locked its replacement.
 */
import { isProcessAlive } from '../../core/process-alive.js';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import { SimianError } from '../../core/errors.js';
import { createPrivateFile, makePrivateDir, writePrivateFile } from '../../core/private-files.js';

/** The error of a refused {@link StackLock.acquire}: another stack runs from that state directory (exit code 2). */
export const STACK_ALREADY_RUNNING = 'stack.alreadyRunning';

/** Who holds the lock of a state directory. */
export interface StackLockHolder {
  /** The stack process; undefined for the instant between taking the lock and writing it down. */
  readonly pid: number | undefined;
  /** When it took the lock, epoch ms. */
  readonly since?: number;
}

/** Options of {@link StackLock.acquire} and {@link StackLock.holder}. */
export interface StackLockOptions {
  readonly clock: Clock;
  /** How long to wait for a holder that has just taken the lock to write its pid down, ms. @default 1000 */
  readonly ownerWaitMs?: number;
}

/**
 * How long a taker waits for the lock before calling it held, ms: long enough for a {@link StackLock.holder} probe
 * (which holds it for an instant) to let go, far shorter than any stack's life.
 */
const ACQUIRE_WAIT_MS = 500;

/** The lock file of `stateDir`. */
export function stackLockPath(stateDir: string): string {
  return join(stateDir, 'stack.lock');
}

/** Where the holder of the lock writes its pid. */
export function stackOwnerPath(stateDir: string): string {
  return join(stateDir, 'stack.owner');
}

function readOwner(stateDir: string): { pid: number; since: number } | undefined {
  try {
    const owner = JSON.parse(readFileSync(stackOwnerPath(stateDir), 'utf8')) as { pid?: unknown; since?: unknown };
    return typeof owner.pid === 'number' && typeof owner.since === 'number' ? { pid: owner.pid, since: owner.since } : undefined;
  } catch {
    return undefined;
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/**
 * Takes the lock on `db`: true when taken, false when another process holds it.
 * @throws whatever else SQLite reports (a lock file that is not a database)
 */
function tryLock(db: Database.Database): boolean {
  try {
    db.exec('BEGIN EXCLUSIVE');
    return true;
  } catch (error) {
    if (isBusy(error)) return false;
    throw error;
  }
}

/**
 * The lock is held: the holder, as soon as it has written its pid (the owner file may still name a previous, dead
 * holder for the instant after the lock changed hands).
 */
async function heldBy(stateDir: string, options: StackLockOptions): Promise<StackLockHolder> {
  const deadline = options.clock.monotonic() + (options.ownerWaitMs ?? 1000);
  for (;;) {
    const owner = readOwner(stateDir);
    if (owner && isProcessAlive(owner.pid)) return owner;
    if (options.clock.monotonic() >= deadline) return { pid: undefined };
    await options.clock.sleep(25);
  }
}

/**
 * The error for a state directory whose lock `holder` holds: SimianError `stack.alreadyRunning`, exit code 2,
 * naming the holder's pid and the command that stops it.
 */
export function alreadyRunningError(stateDir: string, holder: StackLockHolder): SimianError {
  const who = holder.pid === undefined ? 'it is starting and has not written its pid yet' : `pid ${holder.pid}`;
  return new SimianError(STACK_ALREADY_RUNNING, `a stack is already running from ${stateDir} (${who}); "simian stack down --state-dir ${stateDir}" stops it`, {
    exitCode: 2,
  });
}

/**
 * The lock of one state directory, held by the process that runs its stack.
 *
 * @example
 * const lock = await StackLock.acquire('.simian', { clock }); // throws stack.alreadyRunning, naming the holder
 * try { await runTheStack(); } finally { lock.release(); }
 */
export class StackLock {
  private released = false;

  private constructor(
    private readonly db: Database.Database,
    /** The state directory it locks. */
    readonly stateDir: string,
  ) {}

  /**
   * Takes the lock of `stateDir` (created owner-only if missing) for this process, and writes this pid down.
   *
   * @throws SimianError `stack.alreadyRunning` (exit code 2) naming the holder's pid and `simian stack down`
   */
  static async acquire(stateDir: string, options: StackLockOptions): Promise<StackLock> {
    makePrivateDir(stateDir);
    const path = stackLockPath(stateDir);
    createPrivateFile(path);
    const db = new Database(path, { timeout: ACQUIRE_WAIT_MS });
    let locked: boolean;
    try {
      locked = tryLock(db);
    } catch (error) {
      db.close();
      throw new SimianError('stack.lockFailed', `cannot lock ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (!locked) {
      db.close();
      throw alreadyRunningError(stateDir, await heldBy(stateDir, options));
    }
    try {
      writePrivateFile(stackOwnerPath(stateDir), `${JSON.stringify({ pid: process.pid, since: options.clock.now() })}\n`);
    } catch (error) {
      db.close();
      throw error;
    }
    return new StackLock(db, stateDir);
  }

  /**
   * Who holds the lock of `stateDir`, or undefined when nobody does (no stack runs from there, whatever stack.json
   * says). Asking takes the lock for an instant when it is free; a concurrent {@link StackLock.acquire} waits that
   * instant out.
   */
  static async holder(stateDir: string, options: StackLockOptions): Promise<StackLockHolder | undefined> {
    const path = stackLockPath(stateDir);
    let db: Database.Database;
    try {
      db = new Database(path, { timeout: 0, fileMustExist: true });
    } catch {
      // No lock file: no stack ever ran from here.
      return undefined;
    }
    let free: boolean;
    try {
      free = tryLock(db);
    } finally {
      db.close();
    }
    return free ? undefined : heldBy(stateDir, options);
  }

  /** Lets go of the lock (the stack has stopped). Safe to call twice. */
  release(): void {
    if (this.released) return;
    this.released = true;
    // The owner file goes first: once the lock is free, the next holder writes its own.
    if (readOwner(this.stateDir)?.pid === process.pid) rmSync(stackOwnerPath(this.stateDir), { force: true });
    this.db.close();
  }
}
