/**
 * @module
 * The Janitor's cleaner on the local provider: deletes what the local Janitor rules name, one resource at a time.
 *
 * - `instance/<slot id>`: SIGTERM through the stack's admin API, with the pid the inventory shows, as the local
 *   provider terminates (the supervisor signals its own child, never a stale pid). The supervisor then treats it as
 *   any death and launches a fresh process into the slot: the admin API can stop a process, never remove a slot.
 * - `data/<path under the state directory>`: removed (recursively) when it lies inside the stack's data directory,
 *   itself inside the state directory, with no `..` and no symbolic link leading out of it.
 * - `proxy/<name>`, `toxic/<proxy>/<toxic>`: `DELETE` on the Toxiproxy admin API.
 *
 * Already gone (no such slot or process, ENOENT, 404) counts as cleaned.
 */
import { lstat, realpath, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { SimianError } from '../../core/errors.js';
import { StackAdminClient } from '../../reference-stack/stack/stack-admin-client.js';
import { exchange } from './collect-local-snapshot.js';
import type { JanitorCleaner } from './janitor-cleaner.js';

/** Options of {@link LocalJanitorCleaner}. */
export interface LocalJanitorCleanerOptions {
  /** The running stack's admin API (`adminUrl` of stack.json); `instance/…` needs it. */
  readonly adminUrl?: string;
  /** The running stack's token (`<state-dir>/stack.token`): terminations need it. */
  readonly stackToken?: string;
  /** The stack's Toxiproxy admin API (`toxiproxyUrl` of stack.json); `proxy/…` and `toxic/…` need it. */
  readonly toxiproxyUrl?: string;
  /** The state directory `data/<path>` is relative to. */
  readonly stateDir: string;
  /** The only directory whose entries `data/…` may remove; inside `stateDir`. @default `<stateDir>/data` */
  readonly dataDir?: string;
  /** Times the requests out. */
  readonly clock: Clock;
  /** How long one request may take, its answer included, ms. @default 5000 */
  readonly timeoutMs?: number;
  /** For the Toxiproxy calls. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

function unknownResource(resource: string, why: string): SimianError {
  return new SimianError('janitor.unknownResource', `the local Janitor cannot clean "${resource}": ${why}`);
}

/** `inside` is strictly below `root` (both absolute and resolved). */
function isBelow(root: string, inside: string): boolean {
  const rel = relative(root, inside);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function isGone(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/**
 * A {@link JanitorCleaner} for the reference stack.
 *
 * @example
 * const cleaner = new LocalJanitorCleaner({ adminUrl: state.adminUrl, stackToken: readStackToken('.simian'), toxiproxyUrl: state.toxiproxyUrl, stateDir: '.simian', clock });
 * await cleaner.clean('toxic/catalog-us-east-1a-0/simian-k3x9');
 */
export class LocalJanitorCleaner implements JanitorCleaner {
  readonly provider = 'local';
  private readonly timeoutMs: number;

  constructor(private readonly options: LocalJanitorCleanerOptions) {
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /**
   * Deletes `resource` (see the module for each form).
   *
   * @throws SimianError `janitor.unknownResource` for a name of no local form, or a `data/…` path outside the data
   *   directory; `provider.unsupported` when the URL a form needs was not given; `provider.unreachable`,
   *   `provider.terminateFailed`, `provider.unauthorized`, `provider.toxiproxyFailed` or the file system's error
   *   when the deletion failed
   */
  async clean(resource: string): Promise<void> {
    const slash = resource.indexOf('/');
    const kind = slash < 0 ? resource : resource.slice(0, slash);
    const rest = slash < 0 ? '' : resource.slice(slash + 1);
    if (rest === '') throw unknownResource(resource, 'expected instance/<slot id>, data/<path>, proxy/<name> or toxic/<proxy>/<toxic>');
    switch (kind) {
      case 'instance':
        if (rest.includes('/')) throw unknownResource(resource, 'a slot id has no "/"');
        return this.terminate(rest);
      case 'data':
        return this.removeData(resource, rest);
      case 'proxy':
        if (rest.includes('/')) throw unknownResource(resource, 'a proxy name has no "/"');
        return this.deleteOnToxiproxy(`/proxies/${encodeURIComponent(rest)}`, `proxy ${rest}`);
      case 'toxic': {
        const parts = rest.split('/');
        if (parts.length !== 2 || !parts[0] || !parts[1]) throw unknownResource(resource, 'expected toxic/<proxy>/<toxic>');
        return this.deleteOnToxiproxy(`/proxies/${encodeURIComponent(parts[0])}/toxics/${encodeURIComponent(parts[1])}`, `toxic ${parts[1]} of proxy ${parts[0]}`);
      }
      default:
        throw unknownResource(resource, `"${kind}" is not a local resource kind (instance, data, proxy, toxic)`);
    }
  }

  private async terminate(id: string): Promise<void> {
    if (this.options.adminUrl === undefined) throw new SimianError('provider.unsupported', `cannot clean instance ${id} without the stack's adminUrl`);
    const admin = new StackAdminClient({
      adminUrl: this.options.adminUrl,
      timeoutMs: this.timeoutMs,
      clock: this.options.clock,
      ...(this.options.stackToken === undefined ? {} : { stackToken: this.options.stackToken }),
    });
    let answer;
    try {
      const slot = (await admin.inventory()).find((i) => i.id === id);
      // No slot, or no process in it: nothing runs there to stop (the admin API cannot remove a slot).
      if (slot === undefined || slot.state !== 'running' || typeof slot.pid !== 'number') return;
      answer = await admin.terminate(id, { pid: slot.pid, signal: 'SIGTERM' });
    } catch (error) {
      throw new SimianError('provider.unreachable', `cannot clean instance ${id}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    // 404 (no such slot) and 409 (it no longer runs that pid: it died or was replaced meanwhile) are gone.
    if (answer.outcome === 'signalled' || answer.outcome === 'gone') return;
    if (answer.outcome === 'unauthorized') throw new SimianError('provider.unauthorized', `the local stack refused to terminate ${id}: ${answer.reason} (is the stack token the running stack's?)`);
    throw new SimianError('provider.terminateFailed', `the local stack could not terminate ${id}: ${answer.reason}`);
  }

  /**
   * Removes `<stateDir>/<path>` if it is inside the data directory once every symbolic link is resolved: the name
   * is checked as written (no `..`, not absolute), then the real path of its parent and, for a link, of its target.
   */
  private async removeData(resource: string, path: string): Promise<void> {
    const segments = path.split('/');
    if (isAbsolute(path) || path.includes('\\') || path.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw unknownResource(resource, 'the path must be relative to the state directory, without "." or ".." parts');
    }
    const stateDir = resolve(this.options.stateDir);
    const dataDir = resolve(this.options.dataDir ?? join(stateDir, 'data'));
    const target = resolve(stateDir, ...segments);
    if (!isBelow(stateDir, dataDir) || !isBelow(dataDir, target)) {
      throw unknownResource(resource, `only what lies inside the stack's data directory ${dataDir} may be removed`);
    }
    let realData: string;
    let realParent: string;
    try {
      realData = await realpath(dataDir);
      realParent = await realpath(dirname(target));
    } catch (error) {
      if (isGone(error)) return;
      throw error;
    }
    if (realParent !== realData && !isBelow(realData, realParent)) throw unknownResource(resource, `${dirname(target)} leads out of the data directory (a symbolic link)`);
    let info;
    try {
      info = await lstat(target);
    } catch (error) {
      if (isGone(error)) return;
      throw error;
    }
    if (info.isSymbolicLink()) {
      const real = await realpath(target).catch(() => undefined);
      if (real === undefined || !isBelow(realData, real)) throw unknownResource(resource, `${target} is a symbolic link that leads out of the data directory`);
    }
    // Removes a link itself, never what it points at.
    await rm(join(realParent, segments.at(-1)!), { recursive: true, force: true });
  }

  private async deleteOnToxiproxy(path: string, what: string): Promise<void> {
    if (this.options.toxiproxyUrl === undefined) throw new SimianError('provider.unsupported', `cannot delete ${what} without the stack's toxiproxyUrl`);
    const url = new URL(path, this.options.toxiproxyUrl).href;
    const answer = await exchange(url, { method: 'DELETE' }, { clock: this.options.clock, timeoutMs: this.timeoutMs, ...(this.options.fetch ? { fetch: this.options.fetch } : {}) });
    if (!('status' in answer)) throw new SimianError('provider.unreachable', `cannot delete ${what}: ${url} gave no answer (${answer.error})`);
    if (answer.status === 204 || answer.status === 200 || answer.status === 404) return;
    throw new SimianError('provider.toxiproxyFailed', `cannot delete ${what}: ${url} answered HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
  }
}
