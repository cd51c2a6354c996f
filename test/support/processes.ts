/**
 * @module
 * Helpers for tests that start real processes: is a pid still running, wait for a condition with a deadline.
 */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Whether the process `pid` is still running. A zombie counts as gone: it has exited and only waits for its parent
 * to reap it, and an orphan's new parent (the container's init) may never do so.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may contain spaces and parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** Whether `process.kill(pid, 0)` throws ESRCH: the process is gone and reaped. */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Sends SIGKILL to each pid still running, ignoring those already gone: the last line of a test's cleanup. */
export function killAll(pids: Iterable<number | undefined>): void {
  for (const pid of pids) {
    if (pid === undefined) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/**
 * Polls `condition` every `intervalMs` until it holds; rejects with `what` once `timeoutMs` has passed (a function
 * is read then, so the message can say what the last attempt saw). For conditions no event announces (another
 * process exiting); prefer events where there are some.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string | (() => string),
  { timeoutMs = 10_000, intervalMs = 25 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * The pids of live processes whose command line or environment contains `text` (Linux: read from /proc): every
 * process a stack started from a state directory names it, the stack in its arguments and each instance in its
 * launch environment. Processes that cannot be read (another user's, or gone meanwhile) are skipped.
 */
export function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const named = ['cmdline', 'environ'].some((file) => readFileSync(`/proc/${pid}/${file}`, 'utf8').includes(text));
      if (named && isRunning(pid)) found.push(pid);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}
