/**
 * @module
 * Whether a process exists, the one way Simian asks: signal 0 checks existence without touching the process, and
 * EPERM means it exists but belongs to someone else (so it is alive: a fault it owns must not be taken from it).
 */

/**
 * @example
 * if (!isProcessAlive(fault.ownerPid)) await reverter.revert(fault.id, 'restart');
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
