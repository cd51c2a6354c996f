/**
 * @module
 * The token of a running stack: a random secret, new at every `simian stack up`, that every route which changes
 * the stack requires as `Authorization: Bearer <token>` (the front door's evacuate and restore, discovery's
 * register, heartbeat and delete, the stack's own terminate). Instances get it from the supervisor in their launch
 * environment; other `simian` commands of the same user read it from `<state dir>/stack.token` (mode 0600).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../../core/private-files.js';

/** The token file in `stateDir`. */
export function stackTokenPath(stateDir: string): string {
  return join(stateDir, 'stack.token');
}

/** A new token: 32 random bytes from the system's CSPRNG (never the injected Random: this one must not replay). */
export function newStackToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Writes `token` owner-only (0600), atomically. The folder must exist. */
export function writeStackToken(stateDir: string, token: string): void {
  writePrivateFile(stackTokenPath(stateDir), `${token}\n`);
}

/** The token of the stack running from `stateDir`; undefined when there is none (or it cannot be read). */
export function readStackToken(stateDir: string): string | undefined {
  try {
    const token = readFileSync(stackTokenPath(stateDir), 'utf8').trim();
    return token === '' ? undefined : token;
  } catch {
    return undefined;
  }
}

/** Removes the token file (the stack stopped). */
export function clearStackToken(stateDir: string): void {
  rmSync(stackTokenPath(stateDir), { force: true });
}
