/**
 * @module
 * The state file of a running stack (`<state dir>/stack.json`): how `simian stack status` and `down` find the
 * stack that `simian stack up` started, possibly in another terminal or detached.
 */
import { isProcessAlive } from '../../core/process-alive.js';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SimianError } from '../../core/errors.js';
import { makePrivateDir, writePrivateFile } from '../../core/private-files.js';

/** What a running stack leaves for other commands. */
export interface StackState {
  /** The `simian stack up` process. */
  readonly pid: number;
  readonly topology: string;
  /** The first front door; every client that can should use {@link StackState.frontDoorUrls} and fail over. */
  readonly frontDoorUrl: string | undefined;
  /**
   * Every front-door instance's public address, `frontDoorUrl` first: the addresses of one name, between which a
   * client fails over as a browser does. Absent in a stack.json written before there were several.
   */
  readonly frontDoorUrls?: readonly string[];
  readonly toxiproxyUrl: string;
  /** The stack process's own admin API (`stack-admin-api.ts`): `GET /inventory`, `POST /instances/:id/terminate`. */
  readonly adminUrl: string;
  /** The Prometheus that `stack up --prometheus` started, scraping every instance. */
  readonly prometheusUrl?: string;
  /** Where the instances keep their data (billing's ledger): what the Janitor's `janitor.orphaned-data` reads. */
  readonly dataDir?: string;
  readonly startedAt: number;
}

/** The state file in `stateDir`. */
export function stackStatePath(stateDir: string): string {
  return join(stateDir, 'stack.json');
}

/**
 * Writes the state atomically (a reader never sees half a file) and owner-only (0600), creating the state directory
 * owner-only (0700) when it is missing.
 */
export function writeStackState(stateDir: string, state: StackState): void {
  makePrivateDir(stateDir);
  writePrivateFile(stackStatePath(stateDir), `${JSON.stringify(state, null, 2)}\n`);
}

/** Reads the state; a missing file means no stack is running from this state directory. */
export function readStackState(stateDir: string): StackState {
  let text: string;
  try {
    text = readFileSync(stackStatePath(stateDir), 'utf8');
  } catch {
    throw new SimianError('stack.notRunning', `no stack is running (no ${stackStatePath(stateDir)}); start one with "simian stack up"`);
  }
  return JSON.parse(text) as StackState;
}

/** The front doors of a stack, first to last; none when it has no front door. */
export function frontDoorUrlsOf(state: Pick<StackState, 'frontDoorUrl' | 'frontDoorUrls'>): readonly string[] {
  if (state.frontDoorUrls && state.frontDoorUrls.length > 0) return state.frontDoorUrls;
  return state.frontDoorUrl ? [state.frontDoorUrl] : [];
}

/** Removes the state file (the stack stopped). */
export function clearStackState(stateDir: string): void {
  rmSync(stackStatePath(stateDir), { force: true });
}

/** Whether process `pid` is alive. */
export function isAlive(pid: number): boolean {
  return isProcessAlive(pid);
}
