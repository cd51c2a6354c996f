/**
 * @module
 * `simian stack up --detach`: the stack in a background process of its own, whose output goes to a log in the
 * state directory; this process returns once the background one has written the stack's state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fchmodSync, ftruncateSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimianError } from '../../core/errors.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../../core/private-files.js';
import { alreadyRunningError, StackLock } from '../../reference-stack/stack/stack-lock.js';
import { frontDoorUrlsOf, readStackState, type StackState } from '../../reference-stack/stack/stack-state.js';
import type { CommandDeps } from '../command-deps.js';

/** The background stack's standard output and error (so that a failed start can say why). */
export function stackLogPath(stateDir: string): string {
  return join(stateDir, 'stack.log');
}

/** The last lines of the background stack's log, for the message of a failed start. */
function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts `simian stack up` again in the background and returns once it has written its state. The background
 * process takes the lock itself (this one exits): when another stack took it first, it exits with code 2 before
 * starting anything, and this one says who holds it.
 */
export async function detach(deps: CommandDeps, stateDir: string, options: { json?: boolean } = {}): Promise<void> {
  const holder = await StackLock.holder(stateDir, { clock: deps.clock });
  if (holder) throw alreadyRunningError(stateDir, holder);
  makePrivateDir(stateDir);
  const logPath = stackLogPath(stateDir);
  const log = openSync(logPath, 'a', PRIVATE_FILE_MODE);
  let child: ChildProcess;
  try {
    fchmodSync(log, PRIVATE_FILE_MODE);
    ftruncateSync(log, 0);
    const args = process.argv.slice(1).filter((a) => a !== '--detach');
    // The background process must find the same state directory, wherever it came from (file, environment, flag).
    if (!args.includes('--state-dir')) args.push('--state-dir', stateDir);
    child = spawn(process.execPath, [...process.execArgv, ...args], { detached: true, stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  child.unref();
  const deadline = deps.clock.monotonic() + 60_000;
  while (deps.clock.monotonic() < deadline) {
    try {
      const state = readStackState(stateDir);
      if (state.pid === child.pid) {
        // With --json, the stack's state as `stack status --json` would print it, for a script to read the addresses.
        if (options.json) deps.writeOut(`${JSON.stringify(state, null, 2)}\n`);
        else deps.writeOut(`stack running in the background (pid ${state.pid})\n${frontDoorLines(state)}${state.prometheusUrl ? `prometheus  ${state.prometheusUrl}\n` : ''}`);
        return;
      }
    } catch {
      // not written yet
    }
    if (child.exitCode !== null) {
      if (child.exitCode === 2) {
        // Most likely another stack up took the lock first.
        const winner = await StackLock.holder(stateDir, { clock: deps.clock });
        if (winner) throw alreadyRunningError(stateDir, winner);
      }
      const tail = logTail(logPath);
      throw new SimianError('stack.startFailed', `the background stack exited with code ${child.exitCode}${tail ? `:\n${tail}` : ''}\n(its output: ${logPath})`, {
        exitCode: child.exitCode === 2 ? 2 : 1,
      });
    }
    await deps.clock.sleep(200);
  }
  throw new SimianError('stack.startFailed', `the background stack did not start within 60 s (its output: ${logPath})`);
}

/** `front door  URL`, one line per front door (a client may use any of them), none without. */
export function frontDoorLines(state: Pick<StackState, 'frontDoorUrl' | 'frontDoorUrls'>): string {
  return frontDoorUrlsOf(state)
    .map((url) => `front door  ${url}\n`)
    .join('');
}
