import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { MonkeyMetrics } from '../../src/monkeys/metrics/monkey-metrics.js';
import { StateStore, type DecisionRecord } from '../../src/state/index.js';
import { MIGRATIONS } from '../../src/state/schema.js';

const closers: (() => void)[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function statePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'simian-decisions-'));
  dirs.push(dir);
  return join(dir, 'simian.db');
}

function open(path: string, decisionRetention: number): StateStore {
  const store = StateStore.open(path, { clock: new ManualClock(), decisionRetention });
  closers.push(() => store.close());
  return store;
}

/** The decision rows the file holds, oldest first, read on a connection of its own. */
function rowsIn(path: string): Array<{ at: number }> {
  const raw = new Database(path, { readonly: true });
  try {
    return raw.prepare<[], { at: number }>('SELECT at FROM decisions ORDER BY seq').all();
  } finally {
    raw.close();
  }
}

/** The n-th decision of a mixed sequence: executed, skipped for one of two reasons, failed. */
function decision(n: number): DecisionRecord {
  const monkey = n % 2 === 0 ? 'chaos' : 'latency';
  switch (n % 4) {
    case 0:
      return { at: n, monkey, provider: 'local', outcome: 'executed' };
    case 1:
      return { at: n, monkey, provider: 'local', outcome: 'skipped', reason: 'leashed' };
    case 2:
      return { at: n, monkey, provider: 'local', outcome: 'skipped', reason: 'min-interval' };
    default:
      return { at: n, monkey, provider: 'local', outcome: 'failed' };
  }
}

/** What decisionCounts must say after decisions 0 … n - 1. */
function expectedCounts(n: number) {
  const byOutcome = new Map<string, number>();
  const byReason = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const d = decision(i);
    const key = `${d.monkey}/${d.provider}/${d.outcome}`;
    byOutcome.set(key, (byOutcome.get(key) ?? 0) + 1);
    if (d.reason) byReason.set(d.reason, (byReason.get(d.reason) ?? 0) + 1);
  }
  return { byOutcome: Object.fromEntries(byOutcome), skippedByReason: Object.fromEntries(byReason) };
}

function countsOf(store: StateStore) {
  const counts = store.decisionCounts();
  return {
    byOutcome: Object.fromEntries(counts.byOutcome.map((r) => [`${r.monkey}/${r.provider}/${r.outcome}`, r.count])),
    skippedByReason: Object.fromEntries(counts.skippedByReason.map((r) => [r.reason, r.count])),
  };
}

describe('decision log', () => {
  it('keeps only the newest decisions past its retention, and counts every decision ever recorded, from every process', () => {
    const path = statePath();
    // Two connections on one file: what two simian processes are to SQLite.
    const stores = [open(path, 5), open(path, 5)];
    for (let n = 0; n < 23; n++) stores[n % 2]!.recordDecision(decision(n));
    expect(rowsIn(path).map((r) => r.at)).toEqual([18, 19, 20, 21, 22]);
    for (const store of stores) expect(countsOf(store)).toEqual(expectedCounts(23));
  });

  it('keeps simian_faults_total and simian_skipped_total rising while old decisions are pruned', async () => {
    const path = statePath();
    const store = open(path, 3);
    const registry = new Registry();
    new MonkeyMetrics({ registry, activeFaults: () => 0, decisionCounts: () => store.decisionCounts() });
    const scrape = async () => {
      const text = await registry.metrics();
      const value = (series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1]);
      return {
        executed: value('simian_faults_total{monkey="chaos",provider="local",outcome="executed"}'),
        leashed: value('simian_skipped_total{reason="leashed"}'),
      };
    };
    let previous = await scrape();
    for (let n = 0; n < 40; n++) {
      store.recordDecision(decision(n));
      const now = await scrape();
      expect(now.executed).toBeGreaterThanOrEqual(previous.executed);
      expect(now.leashed).toBeGreaterThanOrEqual(previous.leashed);
      previous = now;
    }
    expect(rowsIn(path)).toHaveLength(3);
    expect(previous).toEqual({ executed: expectedCounts(40).byOutcome['chaos/local/executed'], leashed: expectedCounts(40).skippedByReason['leashed'] });
  });

  it('carries the decisions of a version 3 file into its counts when it upgrades, then prunes them', () => {
    const path = statePath();
    const raw = new Database(path);
    raw.pragma('journal_mode = WAL');
    raw.exec('CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL) STRICT');
    for (const step of MIGRATIONS.slice(0, 3)) raw.exec(step);
    raw.prepare('INSERT INTO schema_version (id, version) VALUES (1, 3)').run();
    const insert = raw.prepare('INSERT INTO decisions (at, monkey, provider, outcome, reason) VALUES (?, ?, ?, ?, ?)');
    for (let n = 0; n < 8; n++) {
      const d = decision(n);
      insert.run(d.at, d.monkey, d.provider, d.outcome, d.reason ?? null);
    }
    raw.close();
    const store = open(path, 2);
    store.recordDecision(decision(8));
    expect(rowsIn(path).map((r) => r.at)).toEqual([7, 8]);
    expect(countsOf(store)).toEqual(expectedCounts(9));
  });

  it('refuses a retention that is not a positive integer', () => {
    expect(() => StateStore.open(':memory:', { clock: new ManualClock(), decisionRetention: 0 })).toThrow(/decisionRetention.*positive integer/);
  });
});
