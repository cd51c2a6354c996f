/**
 * @module
 * The Janitor Monkey's marks in the state store: a mark per resource found unused (with when it may be cleaned),
 * its history (marked, notified, each cleaning attempt and its outcome, unmarked), and the opt-outs made by hand.
 * Rows only; the lifecycle that decides when to mark, unmark and clean is `src/monkeys/janitor/`.
 */
import type Database from 'better-sqlite3';

/** A mark still open: the resource is waiting for its cleanup, or for a failed one to be retried. */
export interface JanitorMark {
  readonly id: number;
  readonly provider: string;
  readonly resource: string;
  readonly rule: string;
  readonly owner?: string;
  readonly why: string;
  readonly markedAt: number;
  /** Not cleaned before this instant (epoch ms): the retention, in business days, ends here. */
  readonly cleanAfter: number;
  /** When the owner was told; absent until then. */
  readonly notifiedAt?: number;
  /** Cleaning attempts so far. */
  readonly attempts: number;
  /** What the last failed attempt answered. */
  readonly lastError?: string;
}

/** A mark with how it ended, for the history. */
export interface JanitorMarkRecord extends JanitorMark {
  readonly closedAt?: number;
  readonly outcome?: 'cleaned' | 'unmarked';
}

/** What a new mark says. */
export type JanitorMarkToRecord = Pick<JanitorMark, 'provider' | 'resource' | 'rule' | 'owner' | 'why' | 'markedAt' | 'cleanAfter'>;

/** One step in a mark's life. */
export interface JanitorEvent {
  readonly markId: number;
  readonly at: number;
  readonly event: 'marked' | 'notified' | 'cleaning' | 'cleaned' | 'clean-failed' | 'unmarked';
  readonly detail?: string;
}

/** An opt-out made by hand (`simian janitor opt-out`, the daemon's API). */
export interface JanitorOptOut {
  readonly provider: string;
  readonly resource: string;
  readonly at: number;
  /** Who opted it out: `cli:<user>`, `api`. */
  readonly by: string;
  readonly reason?: string;
}

interface MarkRow {
  id: number;
  provider: string;
  resource: string;
  rule: string;
  owner: string | null;
  why: string;
  marked_at: number;
  clean_after: number;
  notified_at: number | null;
  attempts: number;
  last_error: string | null;
  closed_at: number | null;
  outcome: 'cleaned' | 'unmarked' | null;
}

const MARK_COLUMNS = 'id, provider, resource, rule, owner, why, marked_at, clean_after, notified_at, attempts, last_error, closed_at, outcome';

function toMark(row: MarkRow): JanitorMarkRecord {
  return {
    id: row.id,
    provider: row.provider,
    resource: row.resource,
    rule: row.rule,
    ...(row.owner === null ? {} : { owner: row.owner }),
    why: row.why,
    markedAt: row.marked_at,
    cleanAfter: row.clean_after,
    ...(row.notified_at === null ? {} : { notifiedAt: row.notified_at }),
    attempts: row.attempts,
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    ...(row.closed_at === null ? {} : { closedAt: row.closed_at }),
    ...(row.outcome === null ? {} : { outcome: row.outcome }),
  };
}

/** The open marks, of one provider or all, oldest first. */
export function selectOpenMarks(db: Database.Database, provider?: string): JanitorMark[] {
  const where = provider === undefined ? '' : 'AND provider = ?';
  const rows = db.prepare<unknown[], MarkRow>(`SELECT ${MARK_COLUMNS} FROM janitor_marks WHERE closed_at IS NULL ${where} ORDER BY marked_at, id`).all(...(provider === undefined ? [] : [provider]));
  return rows.map(toMark);
}

/** Every mark of a resource, open or closed, newest first, with its events oldest first. */
export function selectMarkHistory(db: Database.Database, provider: string, resource: string): { mark: JanitorMarkRecord; events: JanitorEvent[] }[] {
  const marks = db.prepare<[string, string], MarkRow>(`SELECT ${MARK_COLUMNS} FROM janitor_marks WHERE provider = ? AND resource = ? ORDER BY marked_at DESC, id DESC`).all(provider, resource);
  const events = db.prepare<[number], { at: number; event: JanitorEvent['event']; detail: string | null }>('SELECT at, event, detail FROM janitor_events WHERE mark_id = ? ORDER BY seq');
  return marks.map((row) => ({
    mark: toMark(row),
    events: events.all(row.id).map((e) => ({ markId: row.id, at: e.at, event: e.event, ...(e.detail === null ? {} : { detail: e.detail }) })),
  }));
}

/** Inside a write transaction: appends an event to a mark's history. */
export function insertJanitorEvent(db: Database.Database, event: JanitorEvent, fencingToken?: number): void {
  db.prepare('INSERT INTO janitor_events (mark_id, at, event, detail, fencing_token) VALUES (?, ?, ?, ?, ?)').run(
    event.markId,
    event.at,
    event.event,
    event.detail ?? null,
    fencingToken ?? null,
  );
}

/** Inside a write transaction: opens a mark unless the resource has one open; the open mark either way, and whether it is new. */
export function insertMark(db: Database.Database, mark: JanitorMarkToRecord): { mark: JanitorMark; created: boolean } {
  const result = db
    .prepare(
      `INSERT INTO janitor_marks (provider, resource, rule, owner, why, marked_at, clean_after) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (provider, resource) WHERE closed_at IS NULL DO NOTHING`,
    )
    .run(mark.provider, mark.resource, mark.rule, mark.owner ?? null, mark.why, mark.markedAt, mark.cleanAfter);
  const created = result.changes === 1;
  const row = db.prepare<[string, string], MarkRow>(`SELECT ${MARK_COLUMNS} FROM janitor_marks WHERE provider = ? AND resource = ? AND closed_at IS NULL`).get(mark.provider, mark.resource)!;
  if (created) insertJanitorEvent(db, { markId: row.id, at: mark.markedAt, event: 'marked', detail: `${mark.rule}: ${mark.why}` });
  return { mark: toMark(row), created };
}

/** The open mark `id`, or undefined when it is closed or unknown. */
export function selectOpenMark(db: Database.Database, id: number): JanitorMark | undefined {
  const row = db.prepare<[number], MarkRow>(`SELECT ${MARK_COLUMNS} FROM janitor_marks WHERE id = ? AND closed_at IS NULL`).get(id);
  return row ? toMark(row) : undefined;
}

/** Inside a write transaction: sets a mark's notified time and notes it. */
export function updateNotified(db: Database.Database, id: number, at: number, detail: string): boolean {
  const changed = db.prepare('UPDATE janitor_marks SET notified_at = ? WHERE id = ? AND closed_at IS NULL').run(at, id).changes === 1;
  if (changed) insertJanitorEvent(db, { markId: id, at, event: 'notified', detail });
  return changed;
}

/** Inside a write transaction: counts one cleaning attempt, before the platform is asked. */
export function updateAttempt(db: Database.Database, id: number, at: number, fencingToken?: number): boolean {
  const changed = db.prepare('UPDATE janitor_marks SET attempts = attempts + 1 WHERE id = ? AND closed_at IS NULL').run(id).changes === 1;
  if (changed) insertJanitorEvent(db, { markId: id, at, event: 'cleaning' }, fencingToken);
  return changed;
}

/** Inside a write transaction: notes a failed attempt; the mark stays open to be retried. */
export function updateFailed(db: Database.Database, id: number, at: number, error: string): boolean {
  const changed = db.prepare('UPDATE janitor_marks SET last_error = ? WHERE id = ? AND closed_at IS NULL').run(error, id).changes === 1;
  if (changed) insertJanitorEvent(db, { markId: id, at, event: 'clean-failed', detail: error });
  return changed;
}

/** Inside a write transaction: closes a mark as cleaned or unmarked. */
export function closeMark(db: Database.Database, id: number, at: number, outcome: 'cleaned' | 'unmarked', detail?: string): boolean {
  const changed = db.prepare('UPDATE janitor_marks SET closed_at = ?, outcome = ? WHERE id = ? AND closed_at IS NULL').run(at, outcome, id).changes === 1;
  if (changed) insertJanitorEvent(db, { markId: id, at, event: outcome, ...(detail === undefined ? {} : { detail }) });
  return changed;
}

/** The opt-outs, of one provider or all. */
export function selectOptOuts(db: Database.Database, provider?: string): JanitorOptOut[] {
  const where = provider === undefined ? '' : 'WHERE provider = ?';
  return db
    .prepare<unknown[], { provider: string; resource: string; at: number; by: string; reason: string | null }>(`SELECT provider, resource, at, by, reason FROM janitor_opt_outs ${where} ORDER BY provider, resource`)
    .all(...(provider === undefined ? [] : [provider]))
    .map((r) => ({ provider: r.provider, resource: r.resource, at: r.at, by: r.by, ...(r.reason === null ? {} : { reason: r.reason }) }));
}

/** Inside a write transaction: records an opt-out (replacing an earlier one of the same resource). */
export function upsertOptOut(db: Database.Database, optOut: JanitorOptOut): void {
  db.prepare('INSERT INTO janitor_opt_outs (provider, resource, at, by, reason) VALUES (?, ?, ?, ?, ?) ON CONFLICT (provider, resource) DO UPDATE SET at = excluded.at, by = excluded.by, reason = excluded.reason').run(
    optOut.provider,
    optOut.resource,
    optOut.at,
    optOut.by,
    optOut.reason ?? null,
  );
}

/** Inside a write transaction: drops an opt-out; whether there was one. */
export function deleteOptOut(db: Database.Database, provider: string, resource: string): boolean {
  return db.prepare('DELETE FROM janitor_opt_outs WHERE provider = ? AND resource = ?').run(provider, resource).changes === 1;
}
