import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError, ManualClock, isSimianError } from '../../src/core/index.js';
import { SCHEMA_VERSION, StateStore, type FaultToRecord, type StateStoreOptions } from '../../src/state/index.js';
import { MIGRATIONS as MIGRATIONS_FOR_TEST } from '../../src/state/schema.js';

const MINUTE = 60_000;
const closers: (() => void)[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const close of closers.splice(0)) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'simian-state-'));
  dirs.push(dir);
  return dir;
}

/** A store on `path` (default: a new file in a fresh folder), closed after the test. */
function open(clock: ManualClock, path = join(tempDir(), 'state.db'), extra: Partial<StateStoreOptions> = {}): StateStore {
  const store = StateStore.open(path, { clock, ...extra });
  closers.push(() => store.close());
  return store;
}

function fault(id: string, startedAt: number, overrides: Partial<FaultToRecord> = {}): FaultToRecord {
  return {
    id,
    kind: 'latency',
    targets: ['api-proxy'],
    startedAt,
    expiresAt: startedAt + 5 * MINUTE,
    parameters: { latencyMs: 300, jitterMs: 20 },
    group: 'api',
    monkey: 'latency',
    provider: 'toxiproxy',
    ...overrides,
  };
}

/** Runs `action` and returns what it threw, failing the test when it did not throw. */
function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('state store', () => {
  it('round-trips faults and terminations, and stamps recordedAt from the clock', () => {
    const clock = new ManualClock();
    const store = open(clock, ':memory:');
    const t0 = clock.now();
    const recorded = store.recordFault(fault('f1', t0, { targets: ['a', 'b'], kind: 'zone-outage' }));
    expect(recorded.recordedAt).toBe(t0);
    expect(store.activeFaults()).toEqual([
      {
        id: 'f1',
        kind: 'zone-outage',
        targets: ['a', 'b'],
        startedAt: t0,
        expiresAt: t0 + 5 * MINUTE,
        parameters: { latencyMs: 300, jitterMs: 20 },
        group: 'api',
        monkey: 'latency',
        provider: 'toxiproxy',
        recordedAt: t0,
        revertIds: [],
      },
    ]);
    store.recordTermination({ monkey: 'chaos', provider: 'local', group: 'web', instanceId: 'web-1', at: t0 + 1, dryRun: false });
    expect(store.history()).toEqual([
      { type: 'termination', at: t0 + 1, decision: 'executed', monkey: 'chaos', provider: 'local', group: 'web', instanceId: 'web-1' },
      expect.objectContaining({ type: 'fault', id: 'f1', at: t0, decision: 'executed', targets: ['a', 'b'], expiresAt: t0 + 5 * MINUTE }),
    ]);
  });

  it('marks a fault reverted once: it leaves the active list, and a second mark is refused', async () => {
    const clock = new ManualClock();
    const store = open(clock);
    store.recordFault(fault('f1', clock.now()));
    store.recordFault(fault('f2', clock.now()));
    await clock.advance(MINUTE);
    expect(store.markReverted('f1', { outcome: 'reverted', trigger: 'manual', detail: 'simian revert' })).toBe(true);
    expect(store.markReverted('f1', { outcome: 'gone', trigger: 'ttl' })).toBe(false);
    expect(store.markReverted('nope', { outcome: 'reverted', trigger: 'ttl' })).toBe(false);
    expect(store.activeFaults().map((f) => f.id)).toEqual(['f2']);
    const entry = store.history().find((e) => e.type === 'fault' && e.id === 'f1');
    expect(entry).toMatchObject({ revert: { at: clock.now(), outcome: 'reverted', trigger: 'manual', detail: 'simian revert' } });
  });

  it('reports a fault expired from exactly its expiresAt, and not a millisecond before', () => {
    const clock = new ManualClock();
    const store = open(clock, ':memory:');
    const t0 = clock.now();
    store.recordFault(fault('short', t0, { expiresAt: t0 + 1_000 }));
    store.recordFault(fault('long', t0, { expiresAt: t0 + 2_000 }));
    expect(store.expiredFaults(t0 + 999)).toEqual([]);
    expect(store.expiredFaults(t0 + 1_000).map((f) => f.id)).toEqual(['short']);
    expect(store.expiredFaults(t0 + 2_000).map((f) => f.id)).toEqual(['short', 'long']);
    store.markReverted('short', { outcome: 'reverted', trigger: 'ttl' });
    expect(store.expiredFaults(t0 + 2_000).map((f) => f.id)).toEqual(['long']);
    // Expired but not reverted is still active: a dead process's faults must be found on the next start.
    expect(store.activeFaults().map((f) => f.id)).toEqual(['long']);
  });

  it('answers lastFaultAt and faultsSince per group, counting executed terminations but not dry runs', () => {
    const clock = new ManualClock();
    const store = open(clock, ':memory:');
    const t0 = clock.now();
    expect(store.lastFaultAt('api')).toBeUndefined();
    expect(store.faultsSince('api', 0)).toBe(0);
    store.recordFault(fault('f1', t0));
    store.recordTermination({ monkey: 'chaos', provider: 'local', group: 'api', instanceId: 'api-1', at: t0 + 10 * MINUTE, dryRun: false });
    store.recordTermination({ monkey: 'chaos', provider: 'local', group: 'api', instanceId: 'api-2', at: t0 + 20 * MINUTE, dryRun: true });
    store.recordFault(fault('other', t0 + 30 * MINUTE, { group: 'web' }));
    expect(store.lastFaultAt('api')).toBe(t0 + 10 * MINUTE);
    expect(store.lastFaultAt('web')).toBe(t0 + 30 * MINUTE);
    expect(store.faultsSince('api', t0)).toBe(2);
    expect(store.faultsSince('api', t0 + 1)).toBe(1);
    expect(store.faultsSince('api', t0 + 10 * MINUTE)).toBe(1);
    expect(store.faultsSince('api', t0 + 10 * MINUTE + 1)).toBe(0);
    expect(store.faultsSince('web', t0)).toBe(1);
    // A revert does not erase that the fault happened.
    store.markReverted('f1', { outcome: 'reverted', trigger: 'ttl' });
    expect(store.faultsSince('api', t0)).toBe(2);
  });

  it('lists skipped and failed decisions in history with their scope and why, but not a leashed Chaos run twice', () => {
    const clock = new ManualClock();
    const store = open(clock, ':memory:');
    const t0 = clock.now();
    // A leashed Chaos run: its dry-run termination names the victim, and its "leashed" skip is the same decision.
    store.recordTermination({ monkey: 'chaos', provider: 'local', group: 'api', instanceId: 'i-1', at: t0, dryRun: true });
    store.recordDecision({ at: t0 + 1, monkey: 'chaos', provider: 'local', outcome: 'skipped', reason: 'leashed', scope: 'api', detail: 'leashed' });
    // A leashed latency has no termination: its skip is all there is.
    store.recordDecision({ at: t0 + 1, monkey: 'latency', provider: 'local', outcome: 'skipped', reason: 'leashed', scope: 'web', detail: 'leashed: --unleash acts' });
    // Another group's leashed skip at the same moment is its own decision.
    store.recordDecision({ at: t0 + 1, monkey: 'chaos', provider: 'local', outcome: 'skipped', reason: 'leashed', scope: 'web', detail: 'leashed web' });
    store.recordDecision({ at: t0 + 2, monkey: 'chaos', provider: 'local', outcome: 'skipped', reason: 'min-interval', scope: 'api', detail: 'api had a fault 1s ago' });
    store.recordDecision({ at: t0 + 3, monkey: 'gorilla', provider: 'local', outcome: 'failed', scope: 'us-east-1a', detail: 'toxiproxy down' });
    store.recordDecision({ at: t0 + 4, monkey: 'chaos', provider: 'local', outcome: 'executed', scope: 'api' });
    expect(store.history().map((e) => [e.type, e.decision, e.group, e.type === 'decision' ? e.detail : undefined])).toEqual([
      ['decision', 'failed', 'us-east-1a', 'toxiproxy down'],
      ['decision', 'skipped', 'api', 'api had a fault 1s ago'],
      ['decision', 'skipped', 'web', 'leashed web'],
      ['decision', 'skipped', 'web', 'leashed: --unleash acts'],
      ['termination', 'dry-run', 'api', undefined],
    ]);
    expect(store.history()[1]).toMatchObject({ monkey: 'chaos', reason: 'min-interval' });
    expect(store.history({ limit: 1 })).toHaveLength(1);
  });

  it('lists history newest first, ties in recording order, with dry-run decisions, limit and since', () => {
    const clock = new ManualClock();
    const store = open(clock, ':memory:');
    const t0 = clock.now();
    store.recordTermination({ monkey: 'chaos', provider: 'local', group: 'api', instanceId: 'i-1', at: t0, dryRun: true });
    store.recordFault(fault('f1', t0 + 2));
    store.recordTermination({ monkey: 'chaos', provider: 'local', group: 'api', instanceId: 'i-2', at: t0 + 1, dryRun: false });
    store.recordFault(fault('f2', t0 + 2));
    const label = (e: ReturnType<StateStore['history']>[number]): string => (e.type === 'fault' ? e.id : e.type === 'termination' ? `${e.instanceId}:${e.decision}` : e.decision);
    expect(store.history().map(label)).toEqual(['f2', 'f1', 'i-2:executed', 'i-1:dry-run']);
    expect(store.history({ limit: 2 }).map(label)).toEqual(['f2', 'f1']);
    expect(store.history({ limit: 3, since: t0 + 1 }).map(label)).toEqual(['f2', 'f1', 'i-2:executed']);
    expect(store.history({ since: t0 + 3 })).toEqual([]);
    for (const limit of [0, -1, 1.5]) {
      expect(isSimianError(thrown(() => store.history({ limit })), 'state.invalidQuery')).toBe(true);
    }
  });

  it('keeps everything across close and reopen, and records the schema version', () => {
    const clock = new ManualClock();
    const path = join(tempDir(), 'state.db');
    const first = StateStore.open(path, { clock });
    first.recordFault(fault('f1', clock.now()));
    first.recordFault(fault('f2', clock.now()));
    first.markReverted('f2', { outcome: 'gone', trigger: 'restart' });
    first.recordTermination({ monkey: 'chaos', provider: 'local', group: 'api', instanceId: 'i-1', at: clock.now(), dryRun: false });
    const before = first.history();
    first.close();

    const second = open(clock, path);
    expect(second.activeFaults().map((f) => f.id)).toEqual(['f1']);
    expect(second.history()).toEqual(before);
    expect(second.lastFaultAt('api')).toBe(clock.now());

    const raw = new Database(path, { readonly: true });
    closers.push(() => raw.close());
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: SCHEMA_VERSION }]);
  });

  it('shares one file between two stores: each sees the other\'s writes', () => {
    const clock = new ManualClock();
    const path = join(tempDir(), 'state.db');
    const a = open(clock, path);
    const b = open(clock, path);
    a.recordFault(fault('from-a', clock.now()));
    expect(b.activeFaults().map((f) => f.id)).toEqual(['from-a']);
    b.recordFault(fault('from-b', clock.now() + 1));
    expect(b.markReverted('from-a', { outcome: 'reverted', trigger: 'manual' })).toBe(true);
    expect(a.markReverted('from-a', { outcome: 'reverted', trigger: 'manual' })).toBe(false);
    expect(a.activeFaults().map((f) => f.id)).toEqual(['from-b']);
    // One sequence across both connections: history order is the order of commits.
    expect(a.history().map((e) => (e.type === 'fault' ? e.id : e.type === 'termination' ? e.instanceId : e.decision))).toEqual(['from-b', 'from-a']);
  });

  it('appends revert ids in order and keeps the owner, only on active faults; detach releases the owner', () => {
    const clock = new ManualClock();
    const store = open(clock);
    store.recordFault({ ...fault('f1', clock.now()), ownerPid: 4242 });
    expect(store.addRevertId('f1', 'toxic:a:simian-f1')).toBe(true);
    expect(store.addRevertId('f1', 'toxic:b:simian-f1')).toBe(true);
    expect(store.fault('f1')).toMatchObject({ revertIds: ['toxic:a:simian-f1', 'toxic:b:simian-f1'], ownerPid: 4242 });
    expect(store.detach('f1')).toBe(true);
    expect(store.fault('f1')?.ownerPid).toBeUndefined();
    store.markReverted('f1', { outcome: 'reverted', trigger: 'ttl' });
    expect(store.addRevertId('f1', 'late')).toBe(false);
    expect(store.detach('f1')).toBe(false);
    expect(store.addRevertId('nope', 'x')).toBe(false);
    expect(store.fault('nope')).toBeUndefined();
  });

  it('migrates a version 1 file: its faults keep their rows and gain empty revert ids and no owner', () => {
    const clock = new ManualClock();
    const path = join(tempDir(), 'state.db');
    const raw = new Database(path);
    raw.pragma('journal_mode = WAL');
    raw.exec('CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL) STRICT');
    raw.exec(MIGRATIONS_FOR_TEST[0]!);
    raw.prepare('INSERT INTO schema_version (id, version) VALUES (1, 1)').run();
    raw
      .prepare(
        `INSERT INTO faults (seq, id, kind, group_name, monkey, provider, targets, parameters, started_at, expires_at, recorded_at)
         VALUES (1, 'old', 'latency', 'api', 'latency', 'local', '["a"]', '{}', 1, 2, 1)`,
      )
      .run();
    raw.close();
    const store = open(clock, path);
    expect(store.activeFaults()).toEqual([expect.objectContaining({ id: 'old', revertIds: [] })]);
    expect(store.activeFaults()[0]).not.toHaveProperty('ownerPid');
    expect(store.addRevertId('old', 'toxic:a:x')).toBe(true);
  });

  it('refuses a file with a newer schema, without touching it', () => {
    const clock = new ManualClock();
    const path = join(tempDir(), 'state.db');
    open(clock, path).close();
    const raw = new Database(path);
    raw.prepare('UPDATE schema_version SET version = ?').run(SCHEMA_VERSION + 1);
    raw.close();
    const error = thrown(() => StateStore.open(path, { clock }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).message).toMatch(/newer/);
    expect(existsSync(path)).toBe(true);
  });
});

describe('state store files', () => {
  it('are owner-only (0600), the database and its -wal and -shm files, even under a permissive umask', () => {
    const umask = process.umask(0);
    try {
      const clock = new ManualClock();
      const path = join(tempDir(), 'simian.db');
      const store = open(clock, path);
      store.recordFault(fault('f1', clock.now()));
      for (const file of [path, `${path}-wal`, `${path}-shm`]) expect({ file, mode: statSync(file).mode & 0o777 }).toEqual({ file, mode: 0o600 });
    } finally {
      process.umask(umask);
    }
  });
});

describe('state store errors', () => {
  /** Asserts the open error: InvalidInputError, code state.unwritable, exit code 2, naming the path. */
  function expectUnopenable(path: string, why?: RegExp): void {
    const error = thrown(() => StateStore.open(path, { clock: new ManualClock() }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(isSimianError(error, 'state.unwritable')).toBe(true);
    expect((error as InvalidInputError).exitCode).toBe(2);
    expect((error as Error).message).toContain(path);
    if (why) expect((error as Error).message).toMatch(why);
  }

  it('refuses a missing folder, and creates nothing', () => {
    const dir = tempDir();
    const path = join(dir, 'missing', 'state.db');
    expectUnopenable(path, /does not exist/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a path under a regular file (a read-only location even for root), and a folder path', () => {
    const dir = tempDir();
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    expectUnopenable(join(file, 'state.db'));
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    expectUnopenable(folder, /not a regular file/);
    expect(readdirSync(dir).sort()).toEqual(['a-folder', 'not-a-folder']);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('removes the database file it created when the open fails half-way, and only that', () => {
    const dir = tempDir();
    const path = join(dir, 'state.db');
    // A folder where SQLite wants its write-ahead log: the database file is created, then the switch to WAL fails.
    mkdirSync(`${path}-wal`);
    expectUnopenable(path);
    expect(readdirSync(dir)).toEqual(['state.db-wal']);
  });

  it('refuses a file that is not a database, and leaves it as it was', () => {
    const dir = tempDir();
    const path = join(dir, 'state.db');
    writeFileSync(path, 'not a database, but long enough to have a header that SQLite will reject outright');
    expectUnopenable(path);
    expect(readdirSync(dir)).toEqual(['state.db']);
  });

  it('fails a write on a read-only connection with state.unwritable, and records nothing', () => {
    const clock = new ManualClock();
    const path = join(tempDir(), 'state.db');
    const writer = open(clock, path);
    const reader = open(clock, path, { readOnly: true });
    for (const write of [
      () => reader.recordFault(fault('f1', clock.now())),
      () => reader.recordTermination({ monkey: 'chaos', provider: 'local', group: 'api', instanceId: 'i-1', at: clock.now(), dryRun: false }),
      () => reader.markReverted('f1', { outcome: 'reverted', trigger: 'ttl' }),
    ]) {
      const error = thrown(write);
      expect(isSimianError(error, 'state.unwritable')).toBe(true);
      expect((error as Error).message).toMatch(/readonly/);
    }
    expect(writer.history()).toEqual([]);
    // Reading still works read-only: that is what `simian history` uses it for.
    writer.recordFault(fault('f1', clock.now()));
    expect(reader.activeFaults().map((f) => f.id)).toEqual(['f1']);
  });

  it('fails writes after close with state.unwritable, and a duplicate fault id too', () => {
    const clock = new ManualClock();
    const store = open(clock);
    store.recordFault(fault('f1', clock.now()));
    expect(isSimianError(thrown(() => store.recordFault(fault('f1', clock.now()))), 'state.unwritable')).toBe(true);
    expect(store.activeFaults()).toHaveLength(1);
    store.close();
    expect(isSimianError(thrown(() => store.recordFault(fault('f2', clock.now()))), 'state.unwritable')).toBe(true);
    expect(isSimianError(thrown(() => store.activeFaults()), 'state.unreadable')).toBe(true);
  });

  it('rejects a fault whose times are not integer milliseconds, before writing', () => {
    const clock = new ManualClock();
    const store = open(clock, ':memory:');
    expect(isSimianError(thrown(() => store.recordFault(fault('f1', clock.now(), { expiresAt: Number.NaN }))), 'state.invalidRecord')).toBe(true);
    expect(store.activeFaults()).toEqual([]);
  });
});
