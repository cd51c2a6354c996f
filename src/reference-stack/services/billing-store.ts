/**
 * @module
 * The billing store: the stack's one ledger of subscriptions, a SQLite database file shared by every billing
 * instance of every region, each in its own process. It is what makes billing writes durable and applied once: a
 * write is acknowledged only after its transaction has committed and the write-ahead log has been synced, and an
 * idempotency key is applied once per viewer, whichever instance, in whichever region, it reaches.
 *
 * Why one ledger for the whole stack. Money needs one source of truth. Multi-region billing systems get it in one
 * of two ways: a strongly consistent database that spans regions (Spanner, CockroachDB: a commit is in a quorum of
 * regions before it is acknowledged, so a retry in any region finds it), or a home region that owns each account,
 * to which every other region forwards that account's writes (writes stop while the home region is lost). What
 * they avoid is a store per region reconciled later (last-writer-wins replication): two regions then both accept
 * the same key, and the front door's failover of a write whose answer was lost applies it twice. This stack runs on
 * one machine, so it can play the first way honestly: one file, which every region reaches and where an idempotency
 * key is checked and inserted under one lock. (The second would leave the viewers of a region Chaos Kong evacuated
 * unable to subscribe, which is not what active-active is for.) A region evacuated by Chaos Kong still reaches the
 * ledger (an evacuation moves traffic; it does not take a database away), and a zone cut off by Chaos Gorilla cuts
 * its instances' callers off, not the instances' own disk. What it does not show: the latency of a commit across
 * regions, and the loss of the region that holds a quorum.
 *
 * - WAL mode: readers never wait for the writer, and a commit is one append to the log.
 * - `synchronous = FULL`: each commit syncs the log, so an acknowledged write survives a power loss too, not only a
 *   killed process (`NORMAL` may lose the last commits when the machine stops).
 * - A busy timeout: the write lock is one per file, held by one process at a time; the others wait for it rather
 *   than fail, and only a lock held past the timeout becomes {@link BillingUnavailableError} (`billing.busy`).
 * - Every write runs in a `BEGIN IMMEDIATE` transaction, so the check for the key and the insert hold the write
 *   lock together: two instances given the same key cannot both insert it.
 * - Keys are unique per viewer (`UNIQUE (user_id, idempotency_key)`), as a payment API scopes them per account: two
 *   viewers may pick the same key, and neither can see or block the other's write with it.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { systemClock, type Clock } from '../../core/clock.js';
import { SimianError, isSimianError } from '../../core/errors.js';

/** The plans a viewer can subscribe to. */
export const PLANS = ['basic', 'standard', 'premium'] as const;

/** A subscription plan. */
export type Plan = (typeof PLANS)[number];

/** What a client asks for under an idempotency key. */
export interface SubscriptionRequest {
  readonly userId: string;
  readonly plan: Plan;
}

/** A committed subscription. */
export interface Subscription {
  /** Unique in the ledger, e.g. `sub-us-east-42`: the region that wrote it, and the ledger's sequence number. */
  readonly subscriptionId: string;
  readonly userId: string;
  /** The key it was written under; unique among the viewer's own subscriptions. */
  readonly idempotencyKey: string;
  readonly plan: Plan;
  /** When the write committed, ISO 8601 in UTC. */
  readonly createdAt: string;
}

/**
 * What a keyed write did: `created` the subscription, `replayed` the one an earlier request of the same viewer with
 * the same key and body created, or found a `conflict`: the viewer used the key for another plan, and nothing was
 * written.
 */
export type SubscribeOutcome =
  | { readonly result: 'created'; readonly subscription: Subscription }
  | { readonly result: 'replayed'; readonly subscription: Subscription }
  | { readonly result: 'conflict'; readonly existing: Subscription; readonly differs: readonly (keyof SubscriptionRequest)[] };

/**
 * The database cannot take a write now: `billing.busy` when another process held the write lock past the busy
 * timeout, `billing.unwritable` when SQLite cannot write the file (read-only, disk full, I/O error). Nothing was
 * written; the same request may succeed on another instance or a little later.
 */
export class BillingUnavailableError extends SimianError {
  constructor(code: 'billing.busy' | 'billing.unwritable', message: string, cause: unknown) {
    super(code, message, { cause });
  }
}

/** Options of {@link BillingStore}. */
export interface BillingStoreOptions {
  /** The ledger's file (see {@link billingLedgerPath}); created with its folder when missing. */
  path: string;
  /** Stamps `createdAt`. @default systemClock */
  clock?: Clock;
  /**
   * How long a write waits for another process's write lock before failing with `billing.busy`. better-sqlite3
   * waits synchronously, so this is also how long the instance's event loop can stall: keep it under the callers'
   * per-attempt timeout, so that they get a 503 and retry on another instance rather than time out.
   * @default 500
   */
  busyTimeoutMs?: number;
  /** Prefix of subscription ids, e.g. `sub-us-east-` (the number after it is unique in the ledger). @default 'sub-' */
  idPrefix?: string;
}

/**
 * The ledger file of the stack's billing instances, every region's, under the stack's data folder. (Earlier
 * versions kept one file per region, `billing-<region>.db`; those files are no longer read.)
 */
export function billingLedgerPath(dataDir: string): string {
  return join(dataDir, 'billing.db');
}

interface SubscriptionRow {
  subscription_id: string;
  user_id: string;
  idempotency_key: string;
  plan: Plan;
  created_at: number;
}

// The whole schema in one immediate transaction: when two instances start at once, the second waits for the
// first's lock, then finds every object there and creates nothing (IF NOT EXISTS), and no instance ever sees half
// a schema. STRICT tables reject a value of the wrong type rather than store it.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS subscriptions (
    seq INTEGER PRIMARY KEY,
    subscription_id TEXT NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL,
    user_id TEXT NOT NULL,
    plan TEXT NOT NULL CHECK (plan IN ('basic', 'standard', 'premium')),
    created_at INTEGER NOT NULL,
    UNIQUE (user_id, idempotency_key)
  ) STRICT;
  CREATE INDEX IF NOT EXISTS subscriptions_by_user ON subscriptions (user_id, seq);
  CREATE TABLE IF NOT EXISTS write_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at INTEGER NOT NULL
  ) STRICT;
`;

/** What {@link SCHEMA} creates: when all of them exist, there is nothing to create. */
const SCHEMA_OBJECTS = ['subscriptions', 'subscriptions_by_user', 'write_probe'];

const COLUMNS = 'subscription_id, user_id, idempotency_key, plan, created_at';

/** Sleeps the thread: better-sqlite3 is synchronous, so a retry at open cannot await. */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

const UNWRITABLE = ['SQLITE_READONLY', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_PERM'];

/** Turns SQLite's "cannot write now" errors into a {@link BillingUnavailableError}; returns others unchanged. */
function storageError(error: unknown, path: string): unknown {
  const code = sqliteCode(error);
  if (code === undefined) return error;
  const reason = error instanceof Error ? error.message : String(error);
  if (isBusy(error)) return new BillingUnavailableError('billing.busy', `billing database ${path} is busy: ${reason}`, error);
  if (UNWRITABLE.some((prefix) => code.startsWith(prefix))) {
    return new BillingUnavailableError('billing.unwritable', `billing database ${path} cannot be written: ${reason}`, error);
  }
  return error;
}

/**
 * The stack's subscriptions, on one SQLite connection. Open one per instance; every billing instance of the stack,
 * whatever its region, opens the same file.
 *
 * @example
 * const store = new BillingStore({ path: billingLedgerPath('/var/lib/simian'), idPrefix: 'sub-us-east-' });
 * store.subscribe('k1', { userId: 'viewer-7', plan: 'premium' }); // { result: 'created', subscription }
 * store.subscribe('k1', { userId: 'viewer-7', plan: 'premium' }); // { result: 'replayed', ... } same id
 * store.subscribe('k1', { userId: 'viewer-8', plan: 'basic' });   // { result: 'created', ... } another viewer's
 * store.close();
 */
export class BillingStore {
  /** The database file. */
  readonly path: string;
  /** The journal mode SQLite confirmed at open: always `wal`. */
  readonly journalMode: string;
  private readonly db: Database.Database;
  private readonly clock: Clock;
  private readonly writeSubscription: (key: string, request: SubscriptionRequest) => SubscribeOutcome;
  private readonly writeProbe: () => void;
  private readonly selectByKey: Database.Statement<[string, string], SubscriptionRow>;
  private readonly selectByUser: Database.Statement<[string], SubscriptionRow>;

  constructor(options: BillingStoreOptions) {
    this.path = options.path;
    this.clock = options.clock ?? systemClock;
    const busyTimeoutMs = options.busyTimeoutMs ?? 500;
    const idPrefix = options.idPrefix ?? 'sub-';
    mkdirSync(dirname(this.path), { recursive: true });
    this.db = new Database(this.path, { timeout: busyTimeoutMs });
    try {
      this.journalMode = enableWal(this.db, busyTimeoutMs);
      // Per connection, not stored in the file: every instance sets it.
      this.db.pragma('synchronous = FULL');
      // Once the schema exists, opening needs no write lock: an instance starts even while another holds it.
      const present = this.db
        .prepare<string[], { n: number }>(`SELECT COUNT(*) AS n FROM sqlite_master WHERE name IN (${SCHEMA_OBJECTS.map(() => '?').join(', ')})`)
        .get(...SCHEMA_OBJECTS);
      if (present?.n !== SCHEMA_OBJECTS.length) this.db.transaction(() => this.db.exec(SCHEMA)).immediate();
    } catch (error) {
      this.db.close();
      throw storageError(error, this.path);
    }

    this.selectByKey = this.db.prepare<[string, string], SubscriptionRow>(
      `SELECT ${COLUMNS} FROM subscriptions WHERE user_id = ? AND idempotency_key = ?`,
    );
    this.selectByUser = this.db.prepare<[string], SubscriptionRow>(`SELECT ${COLUMNS} FROM subscriptions WHERE user_id = ? ORDER BY seq`);
    // The id is the row's own sequence number, computed under the write lock: unique in the ledger without any
    // randomness, whichever instance writes.
    const insert = this.db.prepare<[string, string, string, Plan, number], SubscriptionRow>(
      `INSERT INTO subscriptions (seq, subscription_id, idempotency_key, user_id, plan, created_at)
         SELECT next, ? || next, ?, ?, ?, ? FROM (SELECT IFNULL(MAX(seq), 0) + 1 AS next FROM subscriptions)
       RETURNING ${COLUMNS}`,
    );
    const transaction = this.db.transaction((key: string, request: SubscriptionRequest): SubscribeOutcome => {
      const existing = this.selectByKey.get(request.userId, key);
      if (existing) {
        const subscription = toSubscription(existing);
        // The viewer is part of the key: only the plan can differ.
        const differs = (['plan'] as const).filter((field) => subscription[field] !== request[field]);
        return differs.length === 0 ? { result: 'replayed', subscription } : { result: 'conflict', existing: subscription, differs };
      }
      // Read the clock once the write lock is held, so createdAt follows commit order across instances.
      const row = insert.get(idPrefix, key, request.userId, request.plan, this.clock.now());
      if (!row) throw new Error(`billing: inserting the subscription of key ${key} returned no row`);
      return { result: 'created', subscription: toSubscription(row) };
    });
    // IMMEDIATE takes the write lock at BEGIN, through the busy timeout. A deferred transaction would read first and
    // then upgrade; in WAL mode that upgrade fails at once (SQLITE_BUSY_SNAPSHOT) when another process committed in
    // between, without waiting.
    this.writeSubscription = (key, request) => transaction.immediate(key, request);
    const probe = this.db.prepare<[number]>(
      'INSERT INTO write_probe (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at',
    );
    const probeTransaction = this.db.transaction(() => probe.run(this.clock.now()));
    this.writeProbe = () => probeTransaction.immediate();
  }

  /**
   * Applies a keyed subscription once per viewer (`request.userId`, `idempotencyKey`). Returns after the
   * transaction has committed and the log has been synced: a `created` outcome may be acknowledged to the client.
   *
   * @throws {BillingUnavailableError} when the database cannot take the write now; nothing was written.
   */
  subscribe(idempotencyKey: string, request: SubscriptionRequest): SubscribeOutcome {
    try {
      return this.writeSubscription(idempotencyKey, request);
    } catch (error) {
      throw storageError(error, this.path);
    }
  }

  /** The subscription `userId` wrote under `idempotencyKey`, if any. @throws {BillingUnavailableError} */
  byKey(userId: string, idempotencyKey: string): Subscription | undefined {
    const row = this.read(() => this.selectByKey.get(userId, idempotencyKey));
    return row ? toSubscription(row) : undefined;
  }

  /** A user's subscriptions, oldest first. @throws {BillingUnavailableError} */
  byUser(userId: string): Subscription[] {
    return this.read(() => this.selectByUser.all(userId)).map(toSubscription);
  }

  /**
   * Whether a write gets through now. It commits a real one-row write, because only a write proves it: a
   * read-only file still opens, reads and even begins a transaction, and fails only at the first changed row.
   */
  checkWritable(): { ok: true } | { ok: false; error: string } {
    try {
      this.writeProbe();
      return { ok: true };
    } catch (error) {
      const mapped = storageError(error, this.path);
      return { ok: false, error: isSimianError(mapped) ? `${mapped.code}: ${mapped.message}` : String(mapped) };
    }
  }

  /**
   * Closes the connection; calling it again is harmless. No write is ever half done when it runs: each transaction
   * runs to its end synchronously on this thread.
   */
  close(): void {
    if (this.db.open) this.db.close();
  }

  private read<T>(query: () => T): T {
    try {
      return query();
    } catch (error) {
      throw storageError(error, this.path);
    }
  }
}

/**
 * Switches the file to WAL mode, which is stored in the file: every later open finds it there. The switch itself
 * needs the file to itself for an instant; when several instances open a new file at once, it is retried a bounded
 * number of times rather than failing the instance's start.
 */
function enableWal(db: Database.Database, busyTimeoutMs: number): string {
  const attempts = Math.max(1, Math.ceil(busyTimeoutMs / 10));
  for (let attempt = 1; ; attempt++) {
    try {
      const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
      // An in-memory or otherwise special database answers with another mode: not durable, so refuse it.
      if (mode !== 'wal') throw new SimianError('billing.notDurable', `billing database ${db.name}: journal mode is "${mode}", expected "wal"`);
      return mode;
    } catch (error) {
      if (!isBusy(error) || attempt >= attempts) throw error;
      Atomics.wait(PAUSE, 0, 0, 10);
    }
  }
}

function toSubscription(row: SubscriptionRow): Subscription {
  return {
    subscriptionId: row.subscription_id,
    userId: row.user_id,
    idempotencyKey: row.idempotency_key,
    plan: row.plan,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
