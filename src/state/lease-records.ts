/**
 * @module
 * Leader leases in the state store: one row per lease name, written with an optimistic version, so that daemons
 * sharing one store elect one leader among them (`src/daemon/leader/store-lease-lock.ts`); and the fence that
 * keeps a deposed leader, which has not noticed yet, from recording (hence from injecting) a fault.
 */
import type Database from 'better-sqlite3';

/** A lease as the store keeps it. The state layer knows no elector: this is the row, field for field. */
export interface LeaseRow {
  /** Undefined once released. */
  readonly holder?: string;
  readonly durationMs: number;
  readonly acquiredAt: number;
  readonly renewedAt: number;
  /** How many times the lease changed hands: its holder's fencing token. */
  readonly transitions: number;
}

/** A lease with the version a write must name. */
export interface VersionedLeaseRow {
  readonly lease: LeaseRow;
  readonly version: number;
}

/** What a store's faults are fenced with: the leader's token, and the lease that issued it. */
export interface Fence {
  readonly token: number;
  /** The lease in this store whose transitions the token must still match; none for a lease elsewhere (Kubernetes). */
  readonly lease?: string;
}

interface Row {
  holder: string | null;
  duration_ms: number;
  acquired_at: number;
  renewed_at: number;
  transitions: number;
  version: number;
}

/** The lease `name` as stored, or undefined. */
export function selectLease(db: Database.Database, name: string): VersionedLeaseRow | undefined {
  const row = db.prepare<[string], Row>('SELECT holder, duration_ms, acquired_at, renewed_at, transitions, version FROM leases WHERE name = ?').get(name);
  if (!row) return undefined;
  const lease: LeaseRow = {
    ...(row.holder === null ? {} : { holder: row.holder }),
    durationMs: row.duration_ms,
    acquiredAt: row.acquired_at,
    renewedAt: row.renewed_at,
    transitions: row.transitions,
  };
  return { lease, version: row.version };
}

/** Inside a write transaction: inserts the lease unless it exists; whether it did. */
export function insertLease(db: Database.Database, name: string, lease: LeaseRow): boolean {
  const result = db
    .prepare('INSERT INTO leases (name, holder, duration_ms, acquired_at, renewed_at, transitions, version) VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT (name) DO NOTHING')
    .run(name, lease.holder ?? null, lease.durationMs, lease.acquiredAt, lease.renewedAt, lease.transitions);
  return result.changes === 1;
}

/** Inside a write transaction: replaces the lease if it is still at `version`; whether it did. */
export function replaceLease(db: Database.Database, name: string, lease: LeaseRow, version: number): boolean {
  const result = db
    .prepare('UPDATE leases SET holder = ?, duration_ms = ?, acquired_at = ?, renewed_at = ?, transitions = ?, version = version + 1 WHERE name = ? AND version = ?')
    .run(lease.holder ?? null, lease.durationMs, lease.acquiredAt, lease.renewedAt, lease.transitions, name, version);
  return result.changes === 1;
}

/**
 * Inside a write transaction: why a fault (or termination) fenced with `fence` may not be recorded, or undefined
 * when it may. Refused when one with a newer token is on record, or when the lease has changed hands since.
 */
export function fenceRefusal(db: Database.Database, fence: Fence): string | undefined {
  // Each side reads its partial index; a plain MAX over the table would scan every row ever recorded.
  const newest = db
    .prepare<[], { t: number | null }>(
      'SELECT MAX(t) AS t FROM (SELECT MAX(fencing_token) AS t FROM faults WHERE fencing_token IS NOT NULL UNION ALL SELECT MAX(fencing_token) AS t FROM terminations WHERE fencing_token IS NOT NULL)',
    )
    .get()?.t ?? null;
  if (newest !== null && newest > fence.token) return `fenced: a leader with token ${newest} has recorded a fault since this one's (${fence.token})`;
  if (fence.lease !== undefined) {
    const lease = selectLease(db, fence.lease)?.lease;
    if (lease && lease.transitions !== fence.token) return `fenced: lease "${fence.lease}" has changed hands (token ${lease.transitions}, this one ${fence.token})`;
  }
  return undefined;
}
