/**
 * @module
 * The daemon's day plans in the state store: the shapes `StateStore` takes and gives, and the SQL behind them.
 * The state layer knows a plan only as a date, a zone, a seed and entries with an id, a group and a time; the
 * schedule layer (`src/schedule/plan-store.ts`) stores its own `DayPlan` through it, whole, as JSON.
 */
import type Database from 'better-sqlite3';

/** Where a planned fault is: `planned` → `running` → `done` or `skipped`, or `planned` → `skipped` or `missed`. */
export type ScheduleEntryStatus = 'planned' | 'running' | 'done' | 'skipped' | 'missed';

/** The least a plan must say to be stored: the rest of it is kept as it is and given back. */
export interface PlanToStore {
  readonly date: string;
  readonly timeZone: string;
  readonly seed: number;
  readonly entries: readonly { readonly id: string; readonly group: string; readonly at: number }[];
}

/** A plan as {@link StateStore.loadOrCreatePlan} returns it. */
export interface StoredPlan<P extends PlanToStore> {
  /** The plan as it was first stored: a later call never re-rolls it. */
  readonly plan: P;
  /** Whether this call stored it (false: it was there already, perhaps from another process). */
  readonly created: boolean;
  readonly createdAt: number;
}

/** One planned fault's progress. */
export interface ScheduleEntryState {
  readonly id: string;
  readonly planKey: string;
  readonly group: string;
  /** When it was planned for (epoch ms). */
  readonly at: number;
  readonly status: ScheduleEntryStatus;
  /** Why it was skipped or missed, or what came of it. */
  readonly reason?: string;
  /** When it was claimed (`running`). */
  readonly startedAt?: number;
  readonly updatedAt: number;
}

/** Why {@link StateStore.claimEntry} refused. */
export type ClaimRefusal = 'already-claimed' | 'min-interval' | 'max-active' | 'unknown-entry';

/** What {@link StateStore.claimEntry} decided: the entry is now `running`, or why not. */
export type ClaimResult =
  | { readonly claimed: true }
  | { readonly claimed: false; readonly reason: ClaimRefusal; readonly detail: string };

/** Options of {@link StateStore.claimEntry}. */
export interface ClaimOptions {
  /** Refuse (`max-active`) while this many entries, of any group, are `running`: the global cap. */
  readonly maxRunning?: number;
}

/** The statuses an entry may be finished with, and the statuses each may come from. */
export const FINISH_FROM: Readonly<Record<'done' | 'skipped' | 'missed', readonly ScheduleEntryStatus[]>> = {
  done: ['running'],
  skipped: ['planned', 'running'],
  missed: ['planned'],
};

interface EntryRow {
  id: string;
  plan_key: string;
  group_name: string;
  at: number;
  status: ScheduleEntryStatus;
  reason: string | null;
  started_at: number | null;
  updated_at: number;
}

const ENTRY_COLUMNS = 'id, plan_key, group_name, at, status, reason, started_at, updated_at';

function toEntry(row: EntryRow): ScheduleEntryState {
  return {
    id: row.id,
    planKey: row.plan_key,
    group: row.group_name,
    at: row.at,
    status: row.status,
    ...(row.reason === null ? {} : { reason: row.reason }),
    ...(row.started_at === null ? {} : { startedAt: row.started_at }),
    updatedAt: row.updated_at,
  };
}

/** Inside a write transaction: the stored plan of `key`, or `build()`'s, stored now. */
export function loadOrInsertPlan<P extends PlanToStore>(db: Database.Database, key: string, build: () => P, now: number): StoredPlan<P> {
  const row = db.prepare<[string], { plan_json: string; created_at: number }>('SELECT plan_json, created_at FROM schedule_plans WHERE plan_key = ?').get(key);
  if (row) return { plan: JSON.parse(row.plan_json) as P, created: false, createdAt: row.created_at };
  const plan = build();
  db.prepare('INSERT INTO schedule_plans (plan_key, date, time_zone, seed, created_at, plan_json) VALUES (?, ?, ?, ?, ?, ?)').run(
    key,
    plan.date,
    plan.timeZone,
    plan.seed,
    now,
    JSON.stringify(plan),
  );
  const insert = db.prepare("INSERT INTO schedule_entries (id, plan_key, group_name, at, status, updated_at) VALUES (?, ?, ?, ?, 'planned', ?)");
  for (const entry of plan.entries) insert.run(entry.id, key, entry.group, entry.at, now);
  // What is given back is what a later load reads: the JSON round trip, not the caller's object.
  return { plan: JSON.parse(JSON.stringify(plan)) as P, created: true, createdAt: now };
}

/** Inside a write transaction: the claim of {@link StateStore.claimEntry}. */
export function claimPlannedEntry(
  db: Database.Database,
  entryId: string,
  group: string,
  now: number,
  notBefore: number,
  options: ClaimOptions,
): ClaimResult {
  const entry = db.prepare<[string], { status: ScheduleEntryStatus }>('SELECT status FROM schedule_entries WHERE id = ?').get(entryId);
  if (!entry) return { claimed: false, reason: 'unknown-entry', detail: `no planned entry ${entryId}` };
  if (entry.status !== 'planned') return { claimed: false, reason: 'already-claimed', detail: `entry ${entryId} is already ${entry.status}` };
  // A running entry counts from when it started, a done one too; one never claimed cannot be either.
  const recent = db
    .prepare<[string, number], { id: string; t: number }>(
      `SELECT id, started_at AS t FROM schedule_entries WHERE group_name = ? AND status IN ('running', 'done') AND started_at >= ? ORDER BY started_at DESC LIMIT 1`,
    )
    .get(group, notBefore);
  if (recent) {
    return { claimed: false, reason: 'min-interval', detail: `group ${group} had ${recent.id} at ${new Date(recent.t).toISOString()}, after ${new Date(notBefore).toISOString()}` };
  }
  if (options.maxRunning !== undefined) {
    const running = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM schedule_entries WHERE status = 'running'").get()?.n ?? 0;
    if (running >= options.maxRunning) return { claimed: false, reason: 'max-active', detail: `${running} scheduled fault(s) running, at most ${options.maxRunning}` };
  }
  db.prepare("UPDATE schedule_entries SET status = 'running', started_at = ?, updated_at = ? WHERE id = ? AND status = 'planned'").run(now, now, entryId);
  return { claimed: true };
}

/** Inside a write transaction: moves an entry to its final status, if it may; whether it did. */
export function finishScheduleEntry(db: Database.Database, entryId: string, status: keyof typeof FINISH_FROM, reason: string | undefined, now: number): boolean {
  const from = FINISH_FROM[status];
  const changed = db
    .prepare(`UPDATE schedule_entries SET status = ?, reason = ?, updated_at = ? WHERE id = ? AND status IN (${from.map(() => '?').join(', ')})`)
    .run(status, reason ?? null, now, entryId, ...from).changes;
  return changed === 1;
}

/** The entries of a plan, by time. */
export function scheduleEntriesOf(db: Database.Database, planKey: string): ScheduleEntryState[] {
  return db.prepare<[string], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM schedule_entries WHERE plan_key = ? ORDER BY at, id`).all(planKey).map(toEntry);
}
