/**
 * @module
 * The state store's schema and its versions. The version lives in the file (`schema_version`), so a later Simian
 * can migrate a file an earlier one wrote, and an earlier one refuses a file it does not understand rather than
 * write rows a newer reader would misread.
 */
import type Database from 'better-sqlite3';
import { unopenableStore } from './errors.js';

/**
 * `MIGRATIONS[n]` takes a file from version `n` to `n + 1` (version 0: an empty file). Append only: a released
 * step is never edited, since files out there already ran it. Exported so the upgrade test can build an old file.
 */
export const MIGRATIONS: readonly string[] = [
  // STRICT tables reject a value of the wrong type rather than store it. `seq` is one sequence shared by both
  // tables (see state-store.ts), so history can order a fault and a termination recorded in the same millisecond.
  `
  CREATE TABLE faults (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    group_name TEXT NOT NULL,
    monkey TEXT NOT NULL,
    provider TEXT NOT NULL,
    targets TEXT NOT NULL,
    parameters TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    reverted_at INTEGER,
    revert_outcome TEXT CHECK (revert_outcome IN ('reverted', 'gone')),
    revert_trigger TEXT,
    revert_detail TEXT
  ) STRICT;
  CREATE INDEX faults_active ON faults (expires_at) WHERE reverted_at IS NULL;
  CREATE INDEX faults_by_group ON faults (group_name, started_at);
  CREATE TABLE terminations (
    seq INTEGER PRIMARY KEY,
    monkey TEXT NOT NULL,
    provider TEXT NOT NULL,
    group_name TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    dry_run INTEGER NOT NULL CHECK (dry_run IN (0, 1))
  ) STRICT;
  CREATE INDEX terminations_by_group ON terminations (group_name, at) WHERE dry_run = 0;
  `,
  // v2: what it takes to revert a fault from another process. The provider's revert ids are known only once the
  // fault is injected (a cordon names the nodes it cordoned), so they are appended after the act; the owner's pid
  // lets the next start tell a fault whose holder died from one a live process still holds.
  `
  ALTER TABLE faults ADD COLUMN revert_ids TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE faults ADD COLUMN owner_pid INTEGER;
  `,
  // v3: every decision of the safety pipeline, skipped ones included, so that a long-running process (the stack, a
  // daemon) can export simian_faults_total and simian_skipped_total for runs made by other, short-lived processes.
  `
  CREATE TABLE decisions (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    monkey TEXT NOT NULL,
    provider TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('executed', 'skipped', 'failed')),
    reason TEXT
  ) STRICT;
  `,
  // v4: the other scopes a fault counts against for the rate limits (the groups a zone outage or a toxic hits),
  // so that a group that just lost a zone is not hit again at once. Faults are few: a JSON list is enough.
  `
  ALTER TABLE faults ADD COLUMN scopes TEXT NOT NULL DEFAULT '[]';
  `,
  // v5: the decision log is bounded (the oldest rows are pruned past a retention), so what the counters export is
  // kept apart: one running total per (monkey, provider, outcome, reason), which only ever grows. A file's decisions
  // so far become its first totals. `reason` is '' for decisions without one (a primary key column cannot be NULL).
  `
  CREATE TABLE decision_totals (
    monkey TEXT NOT NULL,
    provider TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('executed', 'skipped', 'failed')),
    reason TEXT NOT NULL,
    count INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (monkey, provider, outcome, reason)
  ) STRICT;
  INSERT INTO decision_totals (monkey, provider, outcome, reason, count)
    SELECT monkey, provider, outcome, IFNULL(reason, ''), COUNT(*) FROM decisions GROUP BY monkey, provider, outcome, IFNULL(reason, '');
  `,
  // v6: a decision names its scope (the group, zone or region) and, for a skip or a failure, its sentence, so that
  // \`simian history\` can show what was refused and why, not only what ran. Older rows have neither.
  `
  ALTER TABLE decisions ADD COLUMN scope TEXT;
  ALTER TABLE decisions ADD COLUMN detail TEXT;
  `,
  // v7: the daemon's day plans, keyed by the zoned date, so that a restart reloads the day instead of re-rolling
  // it; and each planned fault's progress (planned -> running -> done | skipped, or planned -> missed), so that the
  // minimum interval between a group's faults is checked and the fault claimed in one transaction, across restarts
  // and processes. The plan itself is kept whole as JSON: it is read back as it was built.
  `
  CREATE TABLE schedule_plans (
    plan_key TEXT PRIMARY KEY,
    date TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    seed INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    plan_json TEXT NOT NULL
  ) STRICT;
  CREATE TABLE schedule_entries (
    id TEXT PRIMARY KEY,
    plan_key TEXT NOT NULL REFERENCES schedule_plans (plan_key),
    group_name TEXT NOT NULL,
    at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'running', 'done', 'skipped', 'missed')),
    reason TEXT,
    started_at INTEGER,
    updated_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX schedule_entries_by_plan ON schedule_entries (plan_key, at);
  CREATE INDEX schedule_entries_by_group ON schedule_entries (group_name, status);
  `,
  // v8: leader leases, so daemons sharing one store elect one leader (client-go's protocol on a row, with a version
  // for the optimistic write); and the leader's fencing token on each fault and termination it records, so that a
  // deposed leader that has not noticed yet is refused the record, hence the fault. Older rows have no token.
  `
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT,
    duration_ms INTEGER NOT NULL,
    acquired_at INTEGER NOT NULL,
    renewed_at INTEGER NOT NULL,
    transitions INTEGER NOT NULL CHECK (transitions >= 0),
    version INTEGER NOT NULL
  ) STRICT;
  ALTER TABLE faults ADD COLUMN fencing_token INTEGER;
  CREATE INDEX faults_by_fencing_token ON faults (fencing_token) WHERE fencing_token IS NOT NULL;
  ALTER TABLE terminations ADD COLUMN fencing_token INTEGER;
  CREATE INDEX terminations_by_fencing_token ON terminations (fencing_token) WHERE fencing_token IS NOT NULL;
  `,
  // v9: the Janitor Monkey's marks, each resource's history of them, and the opt-outs made through the CLI or the
  // daemon's API. A mark stays open (closed_at NULL) until the resource is cleaned or valid again; at most one open
  // mark per resource, so two janitors sharing the store cannot mark it twice.
  `
  CREATE TABLE janitor_marks (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    resource TEXT NOT NULL,
    rule TEXT NOT NULL,
    owner TEXT,
    why TEXT NOT NULL,
    marked_at INTEGER NOT NULL,
    clean_after INTEGER NOT NULL,
    notified_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    closed_at INTEGER,
    outcome TEXT CHECK (outcome IN ('cleaned', 'unmarked'))
  ) STRICT;
  CREATE UNIQUE INDEX janitor_marks_open ON janitor_marks (provider, resource) WHERE closed_at IS NULL;
  CREATE INDEX janitor_marks_by_resource ON janitor_marks (provider, resource, marked_at);
  CREATE TABLE janitor_events (
    seq INTEGER PRIMARY KEY,
    mark_id INTEGER NOT NULL REFERENCES janitor_marks (id),
    at INTEGER NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('marked', 'notified', 'cleaning', 'cleaned', 'clean-failed', 'unmarked')),
    detail TEXT,
    fencing_token INTEGER
  ) STRICT;
  CREATE INDEX janitor_events_by_mark ON janitor_events (mark_id, seq);
  CREATE TABLE janitor_opt_outs (
    provider TEXT NOT NULL,
    resource TEXT NOT NULL,
    at INTEGER NOT NULL,
    by TEXT NOT NULL,
    reason TEXT,
    PRIMARY KEY (provider, resource)
  ) STRICT;
  `,
];

/** The version this Simian writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The file's version: 0 for a file without the table (new, or not yet initialised). */
function readVersion(db: Database.Database): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (!table) return 0;
  return db.prepare<[], { version: number }>('SELECT version FROM schema_version WHERE id = 1').get()?.version ?? 0;
}

/**
 * Brings the file to {@link SCHEMA_VERSION}. A file already there costs one read and no write lock; otherwise
 * every missing step runs in one immediate transaction, so two processes opening a new file at once do not both
 * migrate (the second re-reads the version under the lock and finds nothing to do) and nobody sees half a schema.
 *
 * @throws {InvalidInputError} `state.unwritable` when the file is newer than this Simian, or needs migrating
 *   but was opened read-only.
 */
export function ensureSchema(db: Database.Database, path: string, readOnly: boolean): void {
  const check = (version: number): boolean => {
    if (version > SCHEMA_VERSION) {
      throw unopenableStore(path, `schema version ${version} is newer than this Simian's (${SCHEMA_VERSION}); upgrade Simian`);
    }
    return version === SCHEMA_VERSION;
  };
  if (check(readVersion(db))) return;
  if (readOnly) throw unopenableStore(path, `opened read-only, but its schema is not at version ${SCHEMA_VERSION}`);
  db.transaction(() => {
    const version = readVersion(db);
    if (check(version)) return;
    if (version === 0) db.exec('CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL) STRICT');
    for (const step of MIGRATIONS.slice(version)) db.exec(step);
    db.prepare('INSERT INTO schema_version (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version').run(SCHEMA_VERSION);
  }).immediate();
}
