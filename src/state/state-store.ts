/**
 * @module
 * The embedded state store: one SQLite file (better-sqlite3) that says which faults are active and until when,
 * which instances were terminated, and what happened when. The safety pipeline records a fault here before acting,
 * so that a process that dies mid-fault leaves enough behind for the next start to revert it.
 *
 * - WAL mode: readers (`simian history`) never wait for the writer, and several processes share the file.
 * - `synchronous = FULL`: a recorded fault survives a power loss, not only a killed process; a fault whose record
 *   could be lost might never be reverted.
 * - A busy timeout: a write waits for another process's lock instead of failing at once.
 * - Every write is one `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so a write cannot fail
 *   half-way on a lock upgrade, and it either fully commits or leaves nothing.
 * - The decision log is bounded: each decision adds one to a running total and is kept as a row among the newest
 *   {@link StateStoreOptions.decisionRetention}; older rows are pruned in the same transaction. Counters read the
 *   totals, which only grow, so they never go down when rows are pruned, whichever process pruned them.
 */
import Database from 'better-sqlite3';
import type { Clock } from '../core/clock.js';
import { InvalidInputError, SimianError } from '../core/errors.js';
import { createPrivateFile } from '../core/private-files.js';
import type { FaultKind } from '../core/model.js';
import { StateUnreadableError, StateUnwritableError, unopenableStore } from './errors.js';
import {
  closeMark,
  deleteOptOut,
  insertMark,
  selectMarkHistory,
  selectOpenMark,
  selectOpenMarks,
  selectOptOuts,
  updateAttempt,
  updateFailed,
  updateNotified,
  upsertOptOut,
  type JanitorEvent,
  type JanitorMark,
  type JanitorMarkRecord,
  type JanitorMarkToRecord,
  type JanitorOptOut,
} from './janitor-records.js';
import { fenceRefusal, insertLease, replaceLease, selectLease, type Fence, type LeaseRow, type VersionedLeaseRow } from './lease-records.js';
import { IN_MEMORY, checkLocation, removeCreated } from './location.js';
import type {
  DecisionCounts,
  DecisionRecord,
  FaultToRecord,
  HistoryEntry,
  HistoryOptions,
  RecordedFault,
  RevertRecord,
  RevertResult,
  TerminationRecord,
} from './records.js';
import { ensureSchema } from './schema.js';
import {
  claimPlannedEntry,
  finishScheduleEntry,
  loadOrInsertPlan,
  scheduleEntriesOf,
  type ClaimOptions,
  type ClaimResult,
  type PlanToStore,
  type ScheduleEntryState,
  type StoredPlan,
} from './schedule-records.js';

/** Options of {@link StateStore.open}. */
export interface StateStoreOptions {
  /** Stamps when faults are recorded and reverted. */
  readonly clock: Clock;
  /**
   * How long a write waits for another process's write lock before failing with `state.unwritable`.
   * better-sqlite3 waits synchronously, so this also bounds how long the event loop can stall.
   * @default 5000
   */
  readonly busyTimeoutMs?: number;
  /**
   * Open without write access (for readers such as `simian history`, and to test write failures): the file must
   * exist with the current schema, and every write fails with `state.unwritable`.
   * @default false
   */
  readonly readOnly?: boolean;
  /**
   * How many decision rows the log keeps (the newest); older ones are pruned as new ones are recorded. The counts
   * of {@link StateStore.decisionCounts} cover every decision ever recorded regardless. A positive integer.
   * @default 10000
   */
  readonly decisionRetention?: number;
}

/** Decision rows kept by default: weeks of a daemon's decisions, a few megabytes. */
const DEFAULT_DECISION_RETENTION = 10_000;

interface FaultRow {
  id: string;
  kind: string;
  group_name: string;
  monkey: string;
  provider: string;
  targets: string;
  parameters: string;
  started_at: number;
  expires_at: number;
  recorded_at: number;
  reverted_at: number | null;
  revert_outcome: string | null;
  revert_trigger: string | null;
  revert_detail: string | null;
  revert_ids: string;
  owner_pid: number | null;
  scopes: string;
}

interface TerminationRow {
  monkey: string;
  provider: string;
  group_name: string;
  instance_id: string;
  at: number;
  dry_run: number;
}

/** One row of the history query: the columns both tables share, and the row's seq to fetch the rest. */
interface HistoryRow {
  type: 'fault' | 'termination' | 'decision';
  seq: number;
}

interface DecisionRow {
  at: number;
  monkey: string;
  provider: string;
  outcome: 'skipped' | 'failed';
  reason: string | null;
  scope: string | null;
  detail: string | null;
}

// The next seq, shared by both tables so that history has one insertion order. Computed inside the write
// transaction, under the lock, so two processes cannot take the same number. MAX over a rowid is a lookup.
const NEXT_SEQ = '(SELECT IFNULL(MAX(s), 0) + 1 FROM (SELECT MAX(seq) AS s FROM faults UNION ALL SELECT MAX(seq) FROM terminations))';

const FAULT_COLUMNS =
  'id, kind, group_name, monkey, provider, targets, parameters, started_at, expires_at, recorded_at, reverted_at, revert_outcome, revert_trigger, revert_detail, revert_ids, owner_pid, scopes';

/** Rejects timestamps SQLite would store as something else (a float, NULL), before they reach a table. */
function requireTime(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new SimianError('state.invalidRecord', `${field} must be an integer epoch millisecond, got ${String(value)}`);
  }
  return value;
}

function toRevert(row: FaultRow): RevertRecord | undefined {
  if (row.reverted_at === null) return undefined;
  return {
    at: row.reverted_at,
    outcome: row.revert_outcome as RevertRecord['outcome'],
    trigger: row.revert_trigger as RevertRecord['trigger'],
    ...(row.revert_detail === null ? {} : { detail: row.revert_detail }),
  };
}

function toFault(row: FaultRow): RecordedFault {
  const revert = toRevert(row);
  return {
    id: row.id,
    kind: row.kind as FaultKind,
    group: row.group_name,
    monkey: row.monkey,
    provider: row.provider,
    targets: JSON.parse(row.targets) as string[],
    parameters: JSON.parse(row.parameters) as Record<string, unknown>,
    startedAt: row.started_at,
    expiresAt: row.expires_at,
    recordedAt: row.recorded_at,
    revertIds: JSON.parse(row.revert_ids) as string[],
    ...(row.owner_pid === null ? {} : { ownerPid: row.owner_pid }),
    ...(row.scopes === '[]' ? {} : { scopes: JSON.parse(row.scopes) as string[] }),
    ...(revert ? { revert } : {}),
  };
}

/**
 * The state of one Simian installation, on one SQLite connection. Several processes may open the same file.
 *
 * @example
 * const store = StateStore.open('/var/lib/simian/state.db', { clock: systemClock });
 * store.recordFault({ ...fault, group: 'api', monkey: 'latency', provider: 'toxiproxy' }); // throws: no fault
 * for (const fault of store.expiredFaults(clock.now())) revert(fault) && store.markReverted(fault.id, { outcome: 'reverted', trigger: 'ttl' });
 * store.close();
 */
export class StateStore {
  /** The database file, as given. */
  readonly path: string;
  private readonly db: Database.Database;
  private readonly clock: Clock;
  private readonly decisionRetention: number;
  private fencedWith: Fence | undefined;

  private constructor(path: string, db: Database.Database, clock: Clock, decisionRetention: number) {
    this.path = path;
    this.db = db;
    this.clock = clock;
    this.decisionRetention = decisionRetention;
  }

  /**
   * Opens (creating when missing) the store at `path`; `:memory:` gives a throwaway store for tests. The folder
   * must exist: it is never created. A new store and its `-wal` and `-shm` files are owner-only (0600).
   *
   * @throws {InvalidInputError} `state.unwritable`, naming the path, when the folder is missing or not writable,
   *   the path is a folder, the file is not a database or has a newer schema; a file this call created is removed.
   */
  static open(path: string, options: StateStoreOptions): StateStore {
    const readOnly = options.readOnly ?? false;
    const decisionRetention = options.decisionRetention ?? DEFAULT_DECISION_RETENTION;
    if (!(Number.isSafeInteger(decisionRetention) && decisionRetention >= 1)) {
      throw new InvalidInputError('state.invalidOption', `decisionRetention must be a positive integer, got ${String(decisionRetention)}`);
    }
    const { absent } = checkLocation(path, readOnly);
    let db: Database.Database | undefined;
    try {
      // Owner-only from the first byte: SQLite gives the -wal and -shm files the mode of the database file.
      if (!readOnly && path !== IN_MEMORY) createPrivateFile(path);
      db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000, readonly: readOnly, fileMustExist: readOnly });
      const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
      // In memory there is no log to write ahead; anywhere else, a store that is not WAL is refused.
      if (mode !== 'wal' && path !== IN_MEMORY) throw unopenableStore(path, `journal mode is "${mode}", expected "wal"`);
      // Per connection, not stored in the file: every open sets it.
      db.pragma('synchronous = FULL');
      ensureSchema(db, path, readOnly);
      return new StateStore(path, db, options.clock, decisionRetention);
    } catch (error) {
      db?.close();
      // Nothing half-created: a failed open leaves the folder as it found it.
      removeCreated(absent);
      if (error instanceof SimianError) throw error;
      throw unopenableStore(path, `cannot be opened: ${error instanceof Error ? error.message : String(error)}`, error);
    }
  }

  /**
   * Records a reversible fault as active, before it is injected. When this throws, the caller must not inject:
   * nothing would revert the fault if the process died.
   *
   * @throws {StateUnwritableError} `state.unwritable` when the write did not commit (also for a duplicate id).
   */
  recordFault(fault: FaultToRecord): RecordedFault {
    const startedAt = requireTime(fault.startedAt, 'startedAt');
    const expiresAt = requireTime(fault.expiresAt, 'expiresAt');
    const fence = this.fencedWith;
    return this.write(`fault ${fault.id}`, () => {
      const refusal = fence && fenceRefusal(this.db, fence);
      if (refusal) throw new Error(refusal);
      const recordedAt = this.clock.now();
      this.db
        .prepare(
          `INSERT INTO faults (seq, id, kind, group_name, monkey, provider, targets, parameters, started_at, expires_at, recorded_at, owner_pid, scopes, fencing_token)
           VALUES (${NEXT_SEQ}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          fault.id,
          fault.kind,
          fault.group,
          fault.monkey,
          fault.provider,
          JSON.stringify(fault.targets),
          JSON.stringify(fault.parameters),
          startedAt,
          expiresAt,
          recordedAt,
          fault.ownerPid ?? null,
          JSON.stringify(fault.scopes ?? []),
          fence?.token ?? null,
        );
      return { ...fault, targets: [...fault.targets], recordedAt, revertIds: [] };
    });
  }

  /**
   * Appends a provider revert id to an active fault, right after the action that produced it, so that another
   * process can revert the fault by id. Returns false when the fault is unknown or no longer active.
   *
   * @throws {StateUnwritableError} `state.unwritable` when the write did not commit.
   */
  addRevertId(faultId: string, revertId: string): boolean {
    return this.write(`the revert id of fault ${faultId}`, () => {
      const changed = this.db
        .prepare(`UPDATE faults SET revert_ids = json_insert(revert_ids, '$[#]', ?) WHERE id = ? AND reverted_at IS NULL`)
        .run(revertId, faultId).changes;
      return changed === 1;
    });
  }

  /**
   * Replaces one revert id of an active fault by another: an intent recorded before an action gives way to the
   * exact id the action returned. Returns false when the fault is not active or does not hold `intentId`.
   *
   * @throws {StateUnwritableError} `state.unwritable` when the write did not commit.
   */
  replaceRevertId(faultId: string, intentId: string, revertId: string): boolean {
    return this.write(`the revert id of fault ${faultId}`, () => {
      const row = this.db.prepare<[string], { revert_ids: string }>('SELECT revert_ids FROM faults WHERE id = ? AND reverted_at IS NULL').get(faultId);
      if (!row) return false;
      const ids = JSON.parse(row.revert_ids) as string[];
      const at = ids.lastIndexOf(intentId);
      if (at < 0) return false;
      ids[at] = revertId;
      this.db.prepare('UPDATE faults SET revert_ids = ? WHERE id = ?').run(JSON.stringify(ids), faultId);
      return true;
    });
  }

  /**
   * Releases a fault from its owner: a process that exits without reverting (a detached run) leaves it to the
   * TTL, which whoever runs next enforces. Returns false when the fault is unknown or no longer active.
   *
   * @throws {StateUnwritableError} `state.unwritable` when the write did not commit.
   */
  detach(faultId: string): boolean {
    return this.write(`the owner of fault ${faultId}`, () => {
      return this.db.prepare('UPDATE faults SET owner_pid = NULL WHERE id = ? AND reverted_at IS NULL').run(faultId).changes === 1;
    });
  }

  /** One fault by id, active or reverted; undefined when unknown. */
  fault(id: string): RecordedFault | undefined {
    return this.read(`fault ${id}`, () => {
      const row = this.db.prepare<[string], FaultRow>(`SELECT ${FAULT_COLUMNS} FROM faults WHERE id = ?`).get(id);
      return row ? toFault(row) : undefined;
    });
  }

  /**
   * Every fault not yet reverted, oldest first, expired or not: on start, they are what a dead process left
   * behind, and `simian revert --all` reverts them all.
   */
  activeFaults(): RecordedFault[] {
    return this.read('active faults', () =>
      this.db.prepare<[], FaultRow>(`SELECT ${FAULT_COLUMNS} FROM faults WHERE reverted_at IS NULL ORDER BY started_at, seq`).all().map(toFault),
    );
  }

  /** Active faults whose TTL has run out at `now` (`expiresAt <= now`), soonest expired first. */
  expiredFaults(now: number): RecordedFault[] {
    return this.read('expired faults', () =>
      this.db
        .prepare<[number], FaultRow>(`SELECT ${FAULT_COLUMNS} FROM faults WHERE reverted_at IS NULL AND expires_at <= ? ORDER BY expires_at, seq`)
        .all(now)
        .map(toFault),
    );
  }

  /**
   * Marks an active fault as no longer active. Returns false when there is no such active fault (unknown id, or
   * already marked, perhaps by another process): reverting twice is harmless, and the first result is kept.
   *
   * @throws {StateUnwritableError} `state.unwritable` when the write did not commit.
   */
  markReverted(id: string, result: RevertResult): boolean {
    return this.write(`the revert of fault ${id}`, () => {
      const changed = this.db
        .prepare(
          `UPDATE faults SET reverted_at = ?, revert_outcome = ?, revert_trigger = ?, revert_detail = ?
           WHERE id = ? AND reverted_at IS NULL`,
        )
        .run(this.clock.now(), result.outcome, result.trigger, result.detail ?? null, id).changes;
      return changed === 1;
    });
  }

  /**
   * Records a termination, executed or dry-run. Dry runs are kept for history but count for no limit.
   *
   * @throws {StateUnwritableError} `state.unwritable` when the write did not commit.
   */
  recordTermination(termination: TerminationRecord): void {
    const at = requireTime(termination.at, 'at');
    // A dry run kills nothing: only what is about to happen is fenced.
    const fence = termination.dryRun ? undefined : this.fencedWith;
    this.write(`the termination of ${termination.instanceId}`, () => {
      const refusal = fence && fenceRefusal(this.db, fence);
      if (refusal) throw new Error(refusal);
      this.db
        .prepare(`INSERT INTO terminations (seq, monkey, provider, group_name, instance_id, at, dry_run, fencing_token) VALUES (${NEXT_SEQ}, ?, ?, ?, ?, ?, ?, ?)`)
        .run(termination.monkey, termination.provider, termination.group, termination.instanceId, at, termination.dryRun ? 1 : 0, fence?.token ?? null);
    });
  }

  /**
   * Appends one decision of the safety pipeline (skipped ones too): the log behind `simian_faults_total`.
   *
   * @throws {StateUnwritableError} `state.unwritable` when the write did not commit.
   */
  recordDecision(decision: DecisionRecord): void {
    const at = requireTime(decision.at, 'at');
    this.write('a decision', () => {
      this.db
        .prepare('INSERT INTO decisions (at, monkey, provider, outcome, reason, scope, detail) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(at, decision.monkey, decision.provider, decision.outcome, decision.reason ?? null, decision.scope ?? null, decision.detail ?? null);
      this.db
        .prepare(
          `INSERT INTO decision_totals (monkey, provider, outcome, reason, count) VALUES (?, ?, ?, ?, 1)
           ON CONFLICT (monkey, provider, outcome, reason) DO UPDATE SET count = count + 1`,
        )
        .run(decision.monkey, decision.provider, decision.outcome, decision.reason ?? '');
      // Rows are numbered in commit order and only the oldest are ever deleted, so the newest `retention` rows are
      // those within `retention` of the last number: one indexed range delete, whatever the log's size.
      this.db.prepare('DELETE FROM decisions WHERE seq <= (SELECT MAX(seq) FROM decisions) - ?').run(this.decisionRetention);
    });
  }

  /**
   * Every decision ever recorded (pruned rows included), counted by monkey, provider and outcome, and the skips by
   * reason. The counts only grow, in every process that reads the file.
   */
  decisionCounts(): DecisionCounts {
    return this.read('decision counts', () => ({
      byOutcome: this.db
        .prepare<[], { monkey: string; provider: string; outcome: string; count: number }>(
          'SELECT monkey, provider, outcome, SUM(count) AS count FROM decision_totals GROUP BY monkey, provider, outcome',
        )
        .all(),
      skippedByReason: this.db
        .prepare<[], { reason: string; count: number }>(
          "SELECT reason, SUM(count) AS count FROM decision_totals WHERE outcome = 'skipped' AND reason <> '' GROUP BY reason",
        )
        .all(),
    }));
  }

  /**
   * When the scope (a group, a zone or region scope) last had a fault (a recorded fault's start, counting the
   * other scopes it hit, or an executed termination), for the minimum time between faults; undefined when never.
   */
  lastFaultAt(scope: string): number | undefined {
    return this.read(`the last fault of ${scope}`, () => {
      const row = this.db
        .prepare<[string, string, string], { at: number | null }>(
          `SELECT MAX(at) AS at FROM (
             SELECT MAX(started_at) AS at FROM faults WHERE group_name = ? OR EXISTS (SELECT 1 FROM json_each(faults.scopes) WHERE value = ?)
             UNION ALL SELECT MAX(at) FROM terminations WHERE group_name = ? AND dry_run = 0)`,
        )
        .get(scope, scope, scope);
      return row?.at ?? undefined;
    });
  }

  /** How many faults and executed terminations the scope had at or after `since`, for the max faults per day. */
  faultsSince(scope: string, since: number): number {
    return this.read(`the faults of ${scope}`, () => {
      const row = this.db
        .prepare<[string, string, number, string, number], { n: number }>(
          `SELECT (SELECT COUNT(*) FROM faults WHERE (group_name = ? OR EXISTS (SELECT 1 FROM json_each(faults.scopes) WHERE value = ?)) AND started_at >= ?)
                + (SELECT COUNT(*) FROM terminations WHERE group_name = ? AND dry_run = 0 AND at >= ?) AS n`,
        )
        .get(scope, scope, since, scope, since);
      return row?.n ?? 0;
    });
  }

  /**
   * Every fault and termination with its decision, newest first (by time, then by recording order), for
   * `simian history`.
   *
   * @throws {InvalidInputError} `state.invalidQuery` when `limit` is not a positive integer.
   */
  history(options: HistoryOptions = {}): HistoryEntry[] {
    const { limit, since } = options;
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
      throw new InvalidInputError('state.invalidQuery', `history limit must be a positive integer, got ${String(limit)}`);
    }
    return this.read('history', () => {
      // One ordered list of (type, seq) over the three tables first, then the rows themselves: LIMIT applies across
      // them. A leashed Chaos Monkey run is already there as a dry-run termination (naming its victim): its
      // "leashed" skip, logged within the same second for the same group, would say it twice.
      const from = since ?? Number.MIN_SAFE_INTEGER;
      const rows = this.db
        .prepare<[number, number, number, number], HistoryRow>(
          `SELECT type, seq FROM (
             SELECT 'fault' AS type, seq, started_at AS at, 1 AS rank FROM faults WHERE started_at >= ?
             UNION ALL SELECT 'termination', seq, at, 1 FROM terminations WHERE at >= ?
             UNION ALL SELECT 'decision', seq, at, 0 FROM decisions d WHERE outcome <> 'executed' AND at >= ?
               AND NOT (reason = 'leashed' AND EXISTS (
                 SELECT 1 FROM terminations t WHERE t.dry_run = 1 AND t.monkey = d.monkey AND t.provider = d.provider
                   AND t.group_name = d.scope AND t.at BETWEEN d.at - 1000 AND d.at + 1000)))
           ORDER BY at DESC, rank DESC, seq DESC LIMIT ?`,
        )
        .all(from, from, from, limit ?? -1);
      const decisionBySeq = this.db.prepare<[number], DecisionRow>('SELECT at, monkey, provider, outcome, reason, scope, detail FROM decisions WHERE seq = ?');
      const faultBySeq = this.db.prepare<[number], FaultRow>(`SELECT ${FAULT_COLUMNS} FROM faults WHERE seq = ?`);
      const terminationBySeq = this.db.prepare<[number], TerminationRow>(
        'SELECT monkey, provider, group_name, instance_id, at, dry_run FROM terminations WHERE seq = ?',
      );
      return rows.map((row): HistoryEntry => {
        if (row.type === 'decision') {
          const d = decisionBySeq.get(row.seq)!;
          return {
            type: 'decision',
            at: d.at,
            decision: d.outcome,
            monkey: d.monkey,
            provider: d.provider,
            ...(d.scope !== null ? { group: d.scope } : {}),
            ...(d.reason !== null ? { reason: d.reason } : {}),
            ...(d.detail !== null ? { detail: d.detail } : {}),
          };
        }
        if (row.type === 'fault') {
          const fault = toFault(faultBySeq.get(row.seq)!);
          return {
            type: 'fault',
            at: fault.startedAt,
            decision: 'executed',
            id: fault.id,
            kind: fault.kind,
            group: fault.group,
            monkey: fault.monkey,
            provider: fault.provider,
            targets: fault.targets,
            expiresAt: fault.expiresAt,
            ...(fault.revert ? { revert: fault.revert } : {}),
          };
        }
        const termination = terminationBySeq.get(row.seq)!;
        return {
          type: 'termination',
          at: termination.at,
          decision: termination.dry_run === 1 ? 'dry-run' : 'executed',
          monkey: termination.monkey,
          provider: termination.provider,
          group: termination.group_name,
          instanceId: termination.instance_id,
        };
      });
    });
  }

  /**
   * The day plan stored under `key` (the zoned date); when there is none, `build()`'s, stored with its entries as
   * `planned`. One immediate transaction: of two processes racing, one stores its plan and the other reads it, so
   * a day is never re-rolled. `build` runs under the write lock: it should be quick and pure.
   *
   * @throws {StateUnwritableError} `state.unwritable` when the write did not commit (`build`'s error included).
   */
  loadOrCreatePlan<P extends PlanToStore>(key: string, build: () => P): StoredPlan<P> {
    return this.write(`the plan of ${key}`, () => loadOrInsertPlan(this.db, key, build, this.clock.now()));
  }

  /**
   * Claims a planned fault for `group` at `now`, in one transaction: it must still be `planned`, and the group
   * must have no entry `running` or `done` that started at or after `notBefore` (the minimum interval, from the
   * calendar); with `maxRunning`, fewer entries than that may be running. Claimed, it is `running`.
   *
   * @throws {StateUnwritableError} `state.unwritable` when the write did not commit.
   */
  claimEntry(entryId: string, group: string, now: number, notBefore: number, options: ClaimOptions = {}): ClaimResult {
    const at = requireTime(now, 'now');
    const from = requireTime(notBefore, 'notBefore');
    return this.write(`the claim of ${entryId}`, () => claimPlannedEntry(this.db, entryId, group, at, from, options));
  }

  /**
   * Finishes a planned fault, once: `done` from `running`; `skipped` (with its reason) from `planned` or
   * `running`; `missed` from `planned`. Returns false when the entry is unknown or not in a state it may leave
   * that way (already finished, perhaps by another process): the first outcome stands.
   *
   * @throws {StateUnwritableError} `state.unwritable` when the write did not commit.
   */
  finishEntry(entryId: string, status: 'done' | 'skipped' | 'missed', reason?: string): boolean {
    return this.write(`the outcome of ${entryId}`, () => finishScheduleEntry(this.db, entryId, status, reason, this.clock.now()));
  }

  /** The progress of every entry of the plan `planKey`, by planned time; empty for an unknown plan. */
  entriesOf(planKey: string): ScheduleEntryState[] {
    return this.read(`the entries of plan ${planKey}`, () => scheduleEntriesOf(this.db, planKey));
  }

  /**
   * Fences every fault and termination this connection records from now on with a leader's token (undefined: no
   * fence). A fenced record is refused (`state.unwritable`, so the fault is not injected) once one with a newer
   * token is on record, or once `fence.lease` has changed hands: a leader deposed while busy cannot act on stale
   * belief.
   */
  fence(fence: Fence | undefined): void {
    this.fencedWith = fence;
  }

  /** The lease `name` with its version, or undefined when none was created. */
  readLease(name: string): VersionedLeaseRow | undefined {
    return this.read(`lease ${name}`, () => selectLease(this.db, name));
  }

  /**
   * Creates the lease `name`; false when it exists already (another daemon created it first).
   *
   * @throws {StateUnwritableError} `state.unwritable` when the write did not commit.
   */
  createLease(name: string, lease: LeaseRow): boolean {
    return this.write(`lease ${name}`, () => insertLease(this.db, name, lease));
  }

  /**
   * Replaces the lease `name` if it is still at `version` (as read); false when another daemon wrote it since.
   *
   * @throws {StateUnwritableError} `state.unwritable` when the write did not commit.
   */
  updateLease(name: string, lease: LeaseRow, version: number): boolean {
    return this.write(`lease ${name}`, () => replaceLease(this.db, name, lease, version));
  }

  /** The Janitor's open marks, of `provider` or every provider, oldest first. */
  janitorMarks(provider?: string): JanitorMark[] {
    return this.read('the janitor marks', () => selectOpenMarks(this.db, provider));
  }

  /** Every mark `resource` of `provider` has had, newest first, each with its history. */
  janitorHistory(provider: string, resource: string): { mark: JanitorMarkRecord; events: JanitorEvent[] }[] {
    return this.read(`the janitor history of ${resource}`, () => selectMarkHistory(this.db, provider, resource));
  }

  /**
   * Marks a resource for the Janitor, unless it has an open mark already (another run, another daemon): returns
   * the open mark either way, and whether this call created it.
   *
   * @throws {StateUnwritableError} `state.unwritable` when the write did not commit.
   */
  markForCleanup(mark: JanitorMarkToRecord): { mark: JanitorMark; created: boolean } {
    requireTime(mark.markedAt, 'markedAt');
    requireTime(mark.cleanAfter, 'cleanAfter');
    return this.write(`the janitor mark of ${mark.resource}`, () => insertMark(this.db, mark));
  }

  /** Notes that the owner of mark `id` was told; false when the mark is closed. */
  noteMarkNotified(id: number, detail: string): boolean {
    return this.write(`the janitor notice of mark ${id}`, () => updateNotified(this.db, id, this.clock.now(), detail));
  }

  /**
   * Records a cleaning attempt of mark `id` before the platform is asked, fenced like a fault: a deposed leader's
   * attempt is refused, and so is one of a mark closed meanwhile (returns undefined), so the resource is not deleted.
   *
   * @throws {StateUnwritableError} `state.unwritable` when the write did not commit (a fenced attempt included).
   */
  beginCleanup(id: number): JanitorMark | undefined {
    const fence = this.fencedWith;
    return this.write(`the cleanup of mark ${id}`, () => {
      const refusal = fence && fenceRefusal(this.db, fence);
      if (refusal) throw new Error(refusal);
      if (!updateAttempt(this.db, id, this.clock.now(), fence?.token)) return undefined;
      return selectOpenMark(this.db, id);
    });
  }

  /** Ends a cleaning attempt: closes the mark as cleaned, or notes the error and leaves it open to be retried. */
  finishCleanup(id: number, result: { readonly ok: true } | { readonly ok: false; readonly error: string }): boolean {
    const at = this.clock.now();
    return this.write(`the cleanup of mark ${id}`, () => (result.ok ? closeMark(this.db, id, at, 'cleaned') : updateFailed(this.db, id, at, result.error)));
  }

  /** Closes mark `id` because its resource is valid again or opted out; false when it was already closed. */
  unmark(id: number, detail: string): boolean {
    return this.write(`the janitor mark ${id}`, () => closeMark(this.db, id, this.clock.now(), 'unmarked', detail));
  }

  /** The opt-outs made by hand, of `provider` or all. */
  janitorOptOuts(provider?: string): JanitorOptOut[] {
    return this.read('the janitor opt-outs', () => selectOptOuts(this.db, provider));
  }

  /**
   * Opts `resource` out of the Janitor: it is never marked nor cleaned until opted in again.
   *
   * @throws {StateUnwritableError} `state.unwritable` when the write did not commit.
   */
  optOutOfJanitor(optOut: Omit<JanitorOptOut, 'at'>): JanitorOptOut {
    const record: JanitorOptOut = { ...optOut, at: this.clock.now() };
    this.write(`the opt-out of ${optOut.resource}`, () => upsertOptOut(this.db, record));
    return record;
  }

  /** Drops an opt-out made by hand; whether there was one. */
  optInToJanitor(provider: string, resource: string): boolean {
    return this.write(`the opt-out of ${resource}`, () => deleteOptOut(this.db, provider, resource));
  }

  /** Closes the connection; calling it again is harmless. Later writes fail with `state.unwritable`. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `body` in an immediate transaction; any failure becomes `state.unwritable` (nothing was committed). */
  private write<T>(what: string, body: () => T): T {
    try {
      return this.db.transaction(body).immediate();
    } catch (error) {
      throw new StateUnwritableError(this.path, what, error);
    }
  }

  private read<T>(what: string, query: () => T): T {
    try {
      return query();
    } catch (error) {
      throw new StateUnreadableError(this.path, what, error);
    }
  }
}
