/**
 * @module
 * Runs the built binary (`bin/simian.js`, which runs `dist/`) as a user would, and hands back its exit code and
 * output whatever the code: tests assert on failures as often as on successes.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** What one run of the binary did. */
export interface SimianRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `simian ...args`; killed after `timeoutMs` (its code is then the signal's failure). */
export function runSimian(args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<SimianRun> {
  return exec(process.execPath, ['bin/simian.js', ...args], { timeout: options.timeoutMs ?? 120_000, ...(options.env ? { env: options.env } : {}) }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}
