/**
 * The state store's leader leases (optimistic writes by version) and the fence on fault records: a fault fenced
 * with a token that a newer leader superseded is refused, so it is never injected.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, isSimianError } from '../../src/core/index.js';
import { STATE_UNWRITABLE, StateStore, type FaultToRecord, type LeaseRow } from '../../src/state/index.js';
import { MIGRATIONS } from '../../src/state/schema.js';

const closers: (() => void)[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function storePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'simian-leases-'));
  dirs.push(dir);
  return join(dir, 'state.db');
}

function open(path: string, clock = new ManualClock()): StateStore {
  const store = StateStore.open(path, { clock });
  closers.push(() => store.close());
  return store;
}

const lease = (holder: string | undefined, transitions: number, at = 0): LeaseRow => ({
  ...(holder === undefined ? {} : { holder }),
  durationMs: 15_000,
  acquiredAt: at,
  renewedAt: at,
  transitions,
});

function fault(id: string): FaultToRecord {
  return { id, kind: 'latency', targets: ['api-proxy'], startedAt: 0, expiresAt: 60_000, parameters: {}, group: 'api', monkey: 'latency', provider: 'toxiproxy' };
}

function refusal(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(isSimianError(error) && error.code).toBe(STATE_UNWRITABLE);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('leases in the state store', () => {
  it('creates a lease once and replaces it only at the version read, across connections', () => {
    const path = storePath();
    const a = open(path);
    const b = open(path);
    expect(a.readLease('simian-daemon')).toBeUndefined();
    expect(a.createLease('simian-daemon', lease('a', 0))).toBe(true);
    expect(b.createLease('simian-daemon', lease('b', 0))).toBe(false);
    const read = b.readLease('simian-daemon')!;
    expect(read.lease).toEqual(lease('a', 0));
    expect(a.updateLease('simian-daemon', lease('a', 0, 2_000), read.version)).toBe(true);
    // b read before a's renewal: its write names a stale version and is refused.
    expect(b.updateLease('simian-daemon', lease('b', 1, 2_000), read.version)).toBe(false);
    expect(b.readLease('simian-daemon')!.lease.holder).toBe('a');
    const released = b.readLease('simian-daemon')!;
    expect(a.updateLease('simian-daemon', lease(undefined, 0, 3_000), released.version)).toBe(true);
    expect(b.readLease('simian-daemon')!.lease.holder).toBeUndefined();
  });

  it('refuses a fault fenced with a token older than one already recorded', () => {
    const path = storePath();
    const deposed = open(path);
    const successor = open(path);
    deposed.fence({ token: 3 });
    deposed.recordFault(fault('f1'));
    successor.fence({ token: 4 });
    successor.recordFault(fault('f2'));
    expect(refusal(() => deposed.recordFault(fault('f3')))).toMatch(/fenced: a leader with token 4/);
    expect(deposed.fault('f3')).toBeUndefined();
    const raw = new Database(path, { readonly: true });
    closers.push(() => raw.close());
    expect(raw.prepare('SELECT id, fencing_token AS token FROM faults ORDER BY seq').all()).toEqual([
      { id: 'f1', token: 3 },
      { id: 'f2', token: 4 },
    ]);
    // Unfenced (a CLI run), a record is not checked against leaders.
    deposed.fence(undefined);
    expect(deposed.recordFault(fault('f4')).id).toBe('f4');
  });

  it('fences terminations too (a Chaos Monkey kill is recorded as one before it happens), but not dry runs', () => {
    const path = storePath();
    const deposed = open(path);
    const successor = open(path);
    const kill = (instanceId: string, dryRun = false) => ({ monkey: 'chaos', provider: 'local', group: 'web', instanceId, at: 0, dryRun });
    deposed.fence({ token: 3 });
    deposed.recordTermination(kill('web-0'));
    successor.fence({ token: 4 });
    successor.recordTermination(kill('web-1'));
    expect(refusal(() => deposed.recordTermination(kill('web-2')))).toMatch(/fenced: a leader with token 4/);
    // A newer termination fences faults as well, and the other way round.
    expect(refusal(() => deposed.recordFault(fault('f1')))).toMatch(/fenced/);
    deposed.recordTermination(kill('web-3', true));
    const raw = new Database(path, { readonly: true });
    closers.push(() => raw.close());
    expect(raw.prepare('SELECT instance_id AS id, fencing_token AS token FROM terminations ORDER BY seq').all()).toEqual([
      { id: 'web-0', token: 3 },
      { id: 'web-1', token: 4 },
      { id: 'web-3', token: null },
    ]);
  });

  it('refuses a fault fenced against a store lease that changed hands, before the successor recorded anything', () => {
    const path = storePath();
    const store = open(path);
    store.createLease('simian-daemon', lease('a', 2));
    store.fence({ token: 2, lease: 'simian-daemon' });
    store.recordFault(fault('f1'));
    const { version } = store.readLease('simian-daemon')!;
    open(path).updateLease('simian-daemon', lease('b', 3, 20_000), version);
    expect(refusal(() => store.recordFault(fault('f2')))).toMatch(/lease "simian-daemon" has changed hands/);
  });

  it('migrates a version 7 file: its faults carry no token and a lease can be created', () => {
    const path = storePath();
    const raw = new Database(path);
    raw.pragma('journal_mode = WAL');
    raw.exec('CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL) STRICT');
    for (const step of MIGRATIONS.slice(0, 7)) raw.exec(step);
    raw.prepare('INSERT INTO schema_version (id, version) VALUES (1, 7)').run();
    raw.close();
    const store = open(path);
    store.recordFault(fault('old'));
    store.fence({ token: 0 });
    expect(store.recordFault(fault('new')).id).toBe('new');
    expect(store.createLease('simian-daemon', lease('a', 0))).toBe(true);
  });
});
