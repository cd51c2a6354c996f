/**
 * @module
 * Gathers a {@link LocalJanitorSnapshot}: the only I/O of the local Janitor's rules. It reads the stack's inventory,
 * asks discovery which running instances it lists (as the Conformity collector does), lists the entries of the
 * stack's data directory, and lists the proxies and toxics of the stack's Toxiproxy, telling the toxics an active
 * fault owns from the others. Nothing here changes anything.
 */
import { lstat, readdir } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { AdminInstance } from '../../providers/local/local-provider.js';
import { formatRevertId, parseRevertId } from '../../providers/toxiproxy/revert-id.js';
import { SERVICE_NAMES } from '../../reference-stack/service-kit/identity.js';
import { billingLedgerPath } from '../../reference-stack/services/billing-store.js';
import { UNREGISTERED_SERVICES } from '../doctor/local-registrations.js';
import { JANITOR_OPT_OUT_KEY, JANITOR_OPT_OUT_VALUE } from './audit-config.js';
import { exchange, ownerOf, readRegistrations } from './collect-local-snapshot.js';
import type { JanitorDataPath, JanitorInstance, JanitorProxy, JanitorToxic, LocalJanitorSnapshot } from './local-janitor-snapshot.js';

/** The file whose presence opts a data directory (and everything in it) out of the Janitor. */
export const JANITOR_KEEP_FILE = '.simian-keep';

/** Options of {@link collectLocalJanitorSnapshot}. */
export interface CollectLocalJanitorSnapshotOptions {
  /** The stack's inventory (`LocalProvider.adminInventory`), every state included. */
  readonly inventory: () => Promise<readonly AdminInstance[]>;
  /** The stack's Toxiproxy admin API (`toxiproxyUrl` of stack.json); absent: proxies are not looked at. */
  readonly toxiproxyUrl?: string;
  /** The state directory: `data/<path>` resources are relative to it, and nothing outside it is ever named. */
  readonly stateDir: string;
  /**
   * Where billing keeps its ledger (`stack up --data-dir`). When it is not inside `stateDir` its entries cannot be
   * named as resources, and the data is not looked at. @default `<stateDir>/data`
   */
  readonly dataDir?: string;
  /**
   * The revert ids of the state store's active faults (`store.activeFaults().flatMap((f) => f.revertIds)`). Called
   * after the proxies are listed, so a toxic added meanwhile by a new fault is already owned (its revert id is
   * recorded before the toxic exists), and none is taken for an orphan.
   */
  readonly ownedRevertIds: () => readonly string[] | Promise<readonly string[]>;
  /**
   * The slot ids the topology asks for (`desiredInstances(topology).map((s) => s.id)`). The stack creates every
   * proxy before it launches the first instance, and the inventory lists a slot only once it is launched: with
   * these, a proxy of a slot not launched yet is not taken for an orphan while the stack starts.
   */
  readonly desiredSlotIds?: readonly string[];
  /** Takes the time of the snapshot and times the requests out. */
  readonly clock: Clock;
  /** How long one request may take, its answer read in full, ms. */
  readonly timeoutMs: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** A slot id of the stack: `<service>-<zone or region>-<index>`, of a service the stack has. */
const SLOT_ID = new RegExp(`^(?:${SERVICE_NAMES.join('|')})-.+-\\d+$`);

/** The ledger billing instances share, and the sidecar files SQLite keeps next to it. */
const LEDGER = basename(billingLedgerPath('.'));
const LEDGER_FILES = new Set([LEDGER, `${LEDGER}-wal`, `${LEDGER}-shm`, `${LEDGER}-journal`]);

function isOptedOut(raw: AdminInstance): boolean {
  return raw.tags?.[JANITOR_OPT_OUT_KEY] === JANITOR_OPT_OUT_VALUE;
}

/** `inside` is `root` or under it (both resolved). */
function isInside(root: string, inside: string): boolean {
  const rel = relative(root, inside);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** The instances that use a data entry: billing's ledger and its sidecars are every billing instance's. */
function usersOf(name: string, inventory: readonly AdminInstance[]): string[] {
  // Older stacks kept one ledger per region (`billing-<region>.db`): no instance reads those any more.
  return LEDGER_FILES.has(name) ? inventory.filter((i) => i.service === 'billing').map((i) => i.id) : [];
}

/**
 * The entries of the data directory, `[]` when it does not exist; undefined when it is not under the state
 * directory or cannot be read. Symbolic links and special files are left out: the cleaner refuses what leads out of
 * the state directory, so they are not offered to it.
 */
async function readData(options: CollectLocalJanitorSnapshotOptions, inventory: readonly AdminInstance[]): Promise<JanitorDataPath[] | undefined> {
  const stateDir = resolve(options.stateDir);
  const dataDir = resolve(options.dataDir ?? join(stateDir, 'data'));
  if (!isInside(stateDir, dataDir) || dataDir === stateDir) return undefined;
  let names: string[];
  try {
    names = await readdir(dataDir);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? [] : undefined;
  }
  // A keep file in the state directory, the data directory or a folder between them keeps every entry.
  let keptAbove = false;
  for (let dir = dataDir; isInside(stateDir, dir); dir = resolve(dir, '..')) {
    if (await exists(join(dir, JANITOR_KEEP_FILE))) keptAbove = true;
    if (dir === stateDir) break;
  }
  const entries = await Promise.all(
    names
      .filter((name) => name !== JANITOR_KEEP_FILE)
      .sort()
      .map(async (name): Promise<JanitorDataPath | undefined> => {
        const full = join(dataDir, name);
        let info;
        try {
          info = await lstat(full);
        } catch {
          return undefined; // removed meanwhile
        }
        if (!info.isFile() && !info.isDirectory()) return undefined;
        const kind = info.isDirectory() ? 'directory' : 'file';
        const keptInside = kind === 'directory' && (await exists(join(full, JANITOR_KEEP_FILE)));
        return {
          path: relative(stateDir, full).split(sep).join('/'),
          kind,
          usedBy: usersOf(name, inventory),
          modifiedAt: info.mtimeMs,
          optedOut: keptAbove || keptInside,
        };
      }),
  );
  return entries.filter((e): e is JanitorDataPath => e !== undefined);
}

interface ListedProxy {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  readonly toxics: readonly { readonly name: string; readonly type: string }[];
}

/** `GET /proxies` (a map by name, each with its toxics); undefined when it does not answer it. */
async function listProxies(toxiproxyUrl: string, options: CollectLocalJanitorSnapshotOptions): Promise<ListedProxy[] | undefined> {
  const answer = await exchange(new URL('/proxies', toxiproxyUrl).href, { headers: { accept: 'application/json' } }, options);
  if (!('status' in answer) || answer.status !== 200) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  return Object.values(body as Record<string, unknown>).flatMap((p): ListedProxy[] => {
    const proxy = p as Partial<Record<keyof ListedProxy, unknown>> | null;
    if (typeof proxy?.name !== 'string') return [];
    const toxics = (Array.isArray(proxy.toxics) ? proxy.toxics : []).flatMap((t: { name?: unknown; type?: unknown } | null) =>
      typeof t?.name === 'string' ? [{ name: t.name, type: typeof t.type === 'string' ? t.type : 'unknown' }] : [],
    );
    return [{ name: proxy.name, listen: String(proxy.listen ?? ''), upstream: String(proxy.upstream ?? ''), enabled: proxy.enabled !== false, toxics }];
  });
}

/** The toxics the revert ids name, as their own revert ids (re-formatted, so encodings compare equal). */
function ownedToxics(revertIds: readonly string[]): Set<string> {
  const owned = new Set<string>();
  for (const id of revertIds) {
    if (!id.startsWith('toxic:')) continue;
    try {
      owned.add(formatRevertId(parseRevertId(id)));
    } catch {
      // Not a toxic id we can read: it owns nothing we could tell apart, and the toxic it meant stays unowned.
    }
  }
  return owned;
}

async function readProxies(options: CollectLocalJanitorSnapshotOptions, inventory: readonly AdminInstance[]): Promise<JanitorProxy[] | undefined> {
  if (options.toxiproxyUrl === undefined) return undefined;
  const listed = await listProxies(options.toxiproxyUrl, options);
  if (listed === undefined) return undefined;
  const owned = ownedToxics(await options.ownedRevertIds());
  const known = new Set([...inventory.map((i) => i.id), ...(options.desiredSlotIds ?? [])]);
  return listed
    .map(
      (proxy): JanitorProxy => ({
        name: proxy.name,
        listen: proxy.listen,
        upstream: proxy.upstream,
        enabled: proxy.enabled,
        stackSlot: SLOT_ID.test(proxy.name),
        instanceKnown: known.has(proxy.name),
        toxics: proxy.toxics.map(
          (toxic): JanitorToxic => ({ name: toxic.name, type: toxic.type, ownedByFault: owned.has(formatRevertId({ kind: 'toxic', proxy: proxy.name, toxic: toxic.name })) }),
        ),
      }),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Takes a snapshot of the stack for the local Janitor rules.
 *
 * @example
 * const snapshot = await collectLocalJanitorSnapshot({
 *   inventory: () => provider.adminInventory(),
 *   toxiproxyUrl: state.toxiproxyUrl,
 *   stateDir: '.simian',
 *   ownedRevertIds: () => store.activeFaults().flatMap((f) => f.revertIds),
 *   clock,
 *   timeoutMs: config.audit.timeoutMs,
 * });
 * const findings = runRules(localJanitorRules(config.audit), snapshot);
 */
export async function collectLocalJanitorSnapshot(options: CollectLocalJanitorSnapshotOptions): Promise<LocalJanitorSnapshot> {
  const takenAt = options.clock.now();
  const inventory = await options.inventory();
  const running = inventory.filter((raw) => raw.state === 'running');
  const [registrations, data, proxies] = await Promise.all([readRegistrations(running, options), readData(options, inventory), readProxies(options, inventory)]);
  const instances = inventory.map((raw): JanitorInstance => {
    const known = raw.state === 'running' && !UNREGISTERED_SERVICES.includes(raw.service) ? registrations.get(raw.region) : undefined;
    return {
      id: raw.id,
      service: raw.service,
      region: raw.region,
      zone: raw.zone,
      state: raw.state,
      launchedAt: raw.launchedAt,
      ...(typeof raw.pid === 'number' ? { pid: raw.pid } : {}),
      ...ownerOf(raw),
      optedOut: isOptedOut(raw),
      ...(known === undefined ? {} : { registered: known.has(raw.id) }),
      // `restarting` stays unknown: the admin API does not say whether a replacement is pending.
    };
  });
  return { takenAt, instances, ...(data === undefined ? {} : { data }), ...(proxies === undefined ? {} : { proxies }) };
}
