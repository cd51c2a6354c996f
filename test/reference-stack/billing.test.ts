import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, silentLogger } from '../../src/core/index.js';
import { buildService } from '../../src/reference-stack/stack/build-service.js';
import { createBillingService, type BillingService } from '../../src/reference-stack/services/billing-service.js';
import { BillingStore, billingLedgerPath, type Subscription } from '../../src/reference-stack/services/billing-store.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const identity = (n = 0) => ({ service: 'billing' as const, region: 'us-east', zone: 'us-east-1a', instanceId: `billing-us-east-1a-${n}` });

const closers: (() => void)[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The ledger file in a fresh temporary folder, removed after the test. */
function databasePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'simian-billing-'));
  dirs.push(dir);
  return billingLedgerPath(dir);
}

/** A billing instance on `path`, closed after the test. */
function billing(path: string, options: { n?: number; clock?: ManualClock; busyTimeoutMs?: number } = {}): BillingService {
  const service = createBillingService({
    identity: identity(options.n),
    databasePath: path,
    clock: options.clock ?? new ManualClock(),
    ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
  });
  closers.push(() => service.store.close());
  return service;
}

async function subscribe(service: BillingService, key: string | undefined, body: unknown): Promise<Response> {
  return service.app.request('/subscriptions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const json = async <T = Record<string, unknown>>(response: Response | Promise<Response>) => (await (await response).json()) as T;

async function writes(service: BillingService): Promise<Record<string, number>> {
  const text = await service.context.registry.metrics();
  return Object.fromEntries([...text.matchAll(/^billing_writes_total\{result="(\w+)"[^}]*\} (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

describe('billing service', () => {
  it('with a stack token, refuses a write without it (401) and takes one with it; reads stay open', async () => {
    const token = 'the-stack-token-of-at-least-32-chars';
    const service = createBillingService({ identity: identity(), databasePath: databasePath(), clock: new ManualClock(), stackToken: token });
    closers.push(() => service.store.close());
    const body = JSON.stringify({ userId: 'viewer-1', plan: 'premium' });
    const headers = { 'content-type': 'application/json', 'idempotency-key': 'k-1' };
    expect((await service.app.request('/subscriptions', { method: 'POST', headers, body })).status).toBe(401);
    expect((await service.app.request('/subscriptions', { method: 'POST', headers: { ...headers, authorization: 'Bearer wrong-token-wrong-token-wrong-token' }, body })).status).toBe(401);
    expect(service.store.byUser('viewer-1')).toEqual([]);
    expect((await service.app.request('/subscriptions', { method: 'POST', headers: { ...headers, authorization: `Bearer ${token}` }, body })).status).toBe(201);
    expect((await service.app.request('/subscriptions?userId=viewer-1')).status).toBe(200);
  });

  it('creates a subscription once, and answers the same key with the same subscription', async () => {
    const clock = new ManualClock();
    const service = billing(databasePath(), { clock });
    expect(await writes(service)).toEqual({ created: 0, replayed: 0, conflict: 0, failed: 0 });

    const first = await subscribe(service, 'viewer-7-k1', { userId: 'viewer-7', plan: 'premium' });
    expect(first.status).toBe(201);
    const created = await json<Subscription>(first);
    expect(created).toEqual({
      subscriptionId: 'sub-us-east-1',
      userId: 'viewer-7',
      idempotencyKey: 'viewer-7-k1',
      plan: 'premium',
      createdAt: '2026-01-01T00:00:00.000Z',
    });

    await clock.advance(60_000);
    const again = await subscribe(service, 'viewer-7-k1', { userId: 'viewer-7', plan: 'premium' });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await json(again)).toEqual(created);

    expect(await json(service.app.request('/subscriptions/by-key/viewer-7-k1?userId=viewer-7'))).toEqual(created);
    // Another viewer cannot read it by guessing the key.
    expect((await service.app.request('/subscriptions/by-key/viewer-7-k1?userId=viewer-8')).status).toBe(404);
    expect((await service.app.request('/subscriptions/by-key/viewer-7-k1')).status).toBe(400);
    expect(await json(service.app.request('/subscriptions?userId=viewer-7'))).toEqual({ subscriptions: [created] });
    expect((await service.app.request('/subscriptions/by-key/never-sent?userId=viewer-7')).status).toBe(404);
    expect(await writes(service)).toEqual({ created: 1, replayed: 1, conflict: 0, failed: 0 });
  });

  it('refuses the same viewer\'s key with another body, and writes nothing; another viewer\'s key is another key', async () => {
    const service = billing(databasePath());
    const created = await json(subscribe(service, 'k1', { userId: 'viewer-1', plan: 'basic' }));

    const otherPlan = await subscribe(service, 'k1', { userId: 'viewer-1', plan: 'premium' });
    expect(otherPlan.status).toBe(409);
    expect((await json<{ error: string }>(otherPlan)).error).toMatch(/k1.*plan/);
    expect(await json(service.app.request('/subscriptions/by-key/k1?userId=viewer-1'))).toEqual(created);

    const otherUser = await subscribe(service, 'k1', { userId: 'viewer-2', plan: 'premium' });
    expect(otherUser.status).toBe(201);
    expect(await json(otherUser)).toMatchObject({ userId: 'viewer-2', idempotencyKey: 'k1', plan: 'premium' });
    expect(await json(service.app.request('/subscriptions?userId=viewer-1'))).toEqual({ subscriptions: [created] });
    expect(await writes(service)).toMatchObject({ created: 2, conflict: 1 });
  });

  it('rejects a missing key or a bad body with a 400 naming the field, and writes nothing', async () => {
    const service = billing(databasePath());
    const cases: [string | undefined, unknown, string][] = [
      [undefined, { userId: 'viewer-1', plan: 'basic' }, 'Idempotency-Key'],
      ['', { userId: 'viewer-1', plan: 'basic' }, 'Idempotency-Key'],
      ['a/b', { userId: 'viewer-1', plan: 'basic' }, 'Idempotency-Key'],
      ['k1', { userId: 'viewer-1', plan: 'gold' }, 'plan'],
      ['k1', { userId: 'viewer-1' }, 'plan'],
      ['k1', { plan: 'basic' }, 'userId'],
      ['k1', { userId: '', plan: 'basic' }, 'userId'],
      ['k1', 'not json', 'body'],
    ];
    for (const [key, body, field] of cases) {
      const response = await subscribe(service, key, body);
      expect(response.status, JSON.stringify([key, body])).toBe(400);
      expect((await json<{ error: string }>(response)).error).toContain(field);
    }
    const list = await service.app.request('/subscriptions');
    expect(list.status).toBe(400);
    expect((await json<{ error: string }>(list)).error).toContain('userId');
    expect((await service.app.request('/subscriptions/by-key/k1?userId=viewer-1')).status).toBe(404);
    expect(await writes(service)).toEqual({ created: 0, replayed: 0, conflict: 0, failed: 0 });
  });
});

describe('billing across regions', () => {
  it('applies a keyed write once whichever region\'s billing it reaches, as the stack builds billing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'simian-billing-'));
    dirs.push(dataDir);
    // Discovery answers nowhere (port 9 refuses): billing needs none to take writes.
    const config = {
      tokenSecret: 'billing-test-secret-32-characters',
      stackToken: 'billing-test-stack-token',
      regions: ['us-east', 'eu-west'],
      discoveryUrls: { 'us-east': ['http://127.0.0.1:9'], 'eu-west': ['http://127.0.0.1:9'] },
      dataDir,
    };
    const deps = { clock: new ManualClock(), logger: silentLogger };
    const built = await Promise.all(
      (['us-east', 'eu-west'] as const).map((region) =>
        buildService({ service: 'billing', region, zone: `${region}-1a`, instanceId: `billing-${region}-1a-0` }, config, deps),
      ),
    );
    try {
      const [east, west] = built.map((b) => (key: string, body: unknown) =>
        // As the stack's gateways send it: the stack builds billing to take writes from them only.
        b.app.request('/subscriptions', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key, authorization: `Bearer ${config.stackToken}` },
          body: JSON.stringify(body),
        }),
      ) as [(key: string, body: unknown) => Promise<Response>, (key: string, body: unknown) => Promise<Response>];

      // The front door fails the write over to the other region after the first region committed it.
      const first = await east('k1', { userId: 'viewer-1', plan: 'premium' });
      expect(first.status).toBe(201);
      const retried = await west('k1', { userId: 'viewer-1', plan: 'premium' });
      expect(retried.status).toBe(200);
      expect(await json(retried)).toEqual(await json(first));
      // The same viewer reusing the key for another subscription is refused in the other region too.
      expect((await west('k1', { userId: 'viewer-1', plan: 'basic' })).status).toBe(409);
      for (const b of built) {
        expect((await json<{ subscriptions: unknown[] }>(b.app.request('/subscriptions?userId=viewer-1'))).subscriptions).toHaveLength(1);
      }
    } finally {
      await Promise.all(built.map((b) => b.close()));
    }
  });
});

describe('billing store', () => {
  it('keeps idempotency keys per viewer: two viewers may use the same key, each gets a subscription', () => {
    const store = new BillingStore({ path: databasePath(), clock: new ManualClock() });
    closers.push(() => store.close());
    const mine = store.subscribe('k1', { userId: 'viewer-1', plan: 'basic' });
    const yours = store.subscribe('k1', { userId: 'viewer-2', plan: 'premium' });
    expect(mine.result).toBe('created');
    expect(yours.result).toBe('created');
    expect(store.subscribe('k1', { userId: 'viewer-2', plan: 'premium' })).toMatchObject({ result: 'replayed' });
    expect(store.subscribe('k1', { userId: 'viewer-1', plan: 'premium' })).toMatchObject({ result: 'conflict', differs: ['plan'] });
    expect(store.byUser('viewer-1').map((s) => s.plan)).toEqual(['basic']);
    expect(store.byUser('viewer-2').map((s) => s.plan)).toEqual(['premium']);
  });


  it('puts the file in WAL mode, and refuses a database that cannot be', async () => {
    const path = databasePath();
    const service = billing(path);
    await subscribe(service, 'k1', { userId: 'viewer-1', plan: 'basic' });
    const outside = new Database(path, { readonly: true });
    closers.push(() => outside.close());
    expect(outside.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(existsSync(`${path}-wal`)).toBe(true);
    expect(await json(service.app.request('/health'))).toMatchObject({ status: 'ok', journalMode: 'wal', database: path });
    expect(() => new BillingStore({ path: ':memory:' })).toThrow(/journal mode is "memory"/);
  });

  it('shares one file between instances: each sees the others\' writes, and a replay on another is not applied twice', async () => {
    const path = databasePath();
    const instances = [billing(path, { n: 0 }), billing(path, { n: 1 })] as const;
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const response = await subscribe(instances[i % 2]!, `k${i}`, { userId: `viewer-${i}`, plan: 'standard' });
      expect(response.status).toBe(201);
      ids.add((await json<Subscription>(response)).subscriptionId);
    }
    expect(ids.size).toBe(20);
    for (let i = 0; i < 20; i++) {
      const other = instances[(i + 1) % 2]!;
      expect(await json(other.app.request(`/subscriptions/by-key/k${i}?userId=viewer-${i}`))).toMatchObject({ userId: `viewer-${i}` });
      const replay = await subscribe(other, `k${i}`, { userId: `viewer-${i}`, plan: 'standard' });
      expect(replay.status).toBe(200);
      expect(ids.has((await json<Subscription>(replay)).subscriptionId)).toBe(true);
      expect((await json<{ subscriptions: unknown[] }>(other.app.request(`/subscriptions?userId=viewer-${i}`))).subscriptions).toHaveLength(1);
    }
    expect(await writes(instances[0])).toMatchObject({ created: 10, replayed: 10 });
    expect(await writes(instances[1])).toMatchObject({ created: 10, replayed: 10 });
  });

  it('answers 503, not 500, and fails /health while another process holds the write lock past the timeout', async () => {
    const path = databasePath();
    const service = billing(path, { busyTimeoutMs: 50 });
    // A second connection is what another process is to SQLite: its own locks on the same file.
    const other = new Database(path);
    closers.push(() => other.close());
    other.exec('BEGIN IMMEDIATE');

    const busy = await subscribe(service, 'k1', { userId: 'viewer-1', plan: 'basic' });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(await json(busy)).toMatchObject({ code: 'billing.busy' });
    const health = await service.app.request('/health');
    expect(health.status).toBe(503);
    expect((await json<{ error: string }>(health)).error).toMatch(/^billing\.busy/);
    expect(await writes(service)).toMatchObject({ created: 0, failed: 1 });

    other.exec('ROLLBACK');
    expect((await service.app.request('/health')).status).toBe(200);
    expect((await subscribe(service, 'k1', { userId: 'viewer-1', plan: 'basic' })).status).toBe(201);
  });
});

/** A child process whose stdout lines are collected as they come. */
interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once `condition` holds over the lines; rejects if the child exits first. */
  until(condition: () => boolean, what: string): Promise<void>;
  kill(): Promise<void>;
}

/** How long a fixture may take to reach a condition: two waits fit in vitest's 20 s test timeout. */
const UNTIL_MS = 8_000;

function startFixture(name: string, args: string[], options: { uid?: number; gid?: number } = {}): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture(name), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  let closed = false;
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!; // a line cut by SIGKILL was never reported
    lines.push(...parts);
    for (const check of waiters) check();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': by then every line the child wrote before it died has been read.
    child.once('close', (code, signal) => {
      closed = true;
      resolve({ code, signal });
      for (const check of waiters) check();
    }),
  );
  return {
    process: child,
    lines,
    exited,
    until: (condition, what) =>
      new Promise<void>((resolve, reject) => {
        // A bound, not a sleep: it only turns a hung child into a clear failure before the test's own timeout,
        // so that the caller's finally still runs and kills it.
        const deadline = setTimeout(() => settle(new Error(`${name} did not reach ${what} within ${UNTIL_MS} ms; stderr: ${stderr}`)), UNTIL_MS);
        const settle = (error?: Error) => {
          clearTimeout(deadline);
          waiters.delete(check);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (condition()) settle();
          else if (closed) settle(new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before ${what}; stderr: ${stderr}`));
        };
        waiters.add(check);
        check();
      }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** What a billing-writer child reported: the writes it tried (with their bodies) and the ones acknowledged. */
function writerReport(child: Child) {
  const tried = new Map<string, string>();
  const acked = new Map<string, { status: number }>();
  for (const line of child.lines) {
    const [verb, key = '', rest = ''] = line.split(' ');
    if (verb === 'try') tried.set(key, rest);
    if (verb === 'ack') acked.set(key, { status: Number(rest) });
  }
  return { tried, acked };
}

describe('billing durability across processes', () => {
  it('keeps every acknowledged write, once, when writers on the same file are SIGKILLed mid-loop', async () => {
    const path = databasePath();
    // Two instances of one region start at once on a new file, then write concurrently.
    const writers = [startFixture('billing-writer.ts', [path, 'a', '100000']), startFixture('billing-writer.ts', [path, 'b', '100000'])] as const;
    const [a, b] = writers;
    const acks = (child: Child) => writerReport(child).acked.size;
    try {
      await Promise.all(writers.map((w) => w.until(() => acks(w) >= 20, '20 acknowledged writes')));
      a.process.kill('SIGKILL');
      expect((await a.exited).signal).toBe('SIGKILL');
      // The region's other instance keeps writing after one died, whatever lock the dead one held.
      const before = acks(b);
      await b.until(() => acks(b) >= before + 10, '10 more acknowledged writes');
      b.process.kill('SIGKILL');
      expect((await b.exited).signal).toBe('SIGKILL');
    } finally {
      await Promise.all(writers.map((w) => w.kill()));
    }

    const reports = writers.map(writerReport);
    const acknowledged = new Set(reports.flatMap((r) => [...r.acked.keys()]));
    const check = billing(path, { n: 9 });
    const lost = [...acknowledged].filter((key) => check.store.byKey(`viewer-${key}`, key) === undefined);
    expect(lost).toEqual([]);
    const notOnce = [...acknowledged].filter((key) => check.store.byUser(`viewer-${key}`).length !== 1);
    expect(notOnce).toEqual([]);
    // Shared keys reached both processes: one created each, the other replayed it.
    const replays = reports.flatMap((r) => [...r.acked.values()]).filter((ack) => ack.status === 200);
    expect(replays.length).toBeGreaterThan(0);

    // Each writer's last write, whose answer may never have come (it died in flight), and any write that got no
    // acknowledgement, are retried with their keys: each is applied once.
    const retried = reports.flatMap((r) => [...r.tried].filter(([key]) => !r.acked.has(key) || key === [...r.tried.keys()].at(-1)));
    expect(retried.length).toBeGreaterThanOrEqual(2);
    for (const [key, body] of retried) {
      expect([200, 201]).toContain((await subscribe(check, key, body)).status);
      expect(check.store.byUser(`viewer-${key}`)).toHaveLength(1);
    }
  });

  it('fails /health and answers writes with 503 when the file cannot be written', async () => {
    const path = databasePath();
    new BillingStore({ path }).close();
    chmodSync(path, 0o444);
    // Root writes any file whatever its mode: then the instance runs as nobody, as a service account would.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      chownSync(join(path, '..'), 65534, 65534);
      chownSync(path, 65534, 65534);
    }
    const child = startFixture('billing-health.ts', [path], asRoot ? { uid: 65534, gid: 65534 } : {});
    try {
      await child.until(() => child.lines.length > 0, 'its report');
    } finally {
      await child.kill();
    }
    const report = JSON.parse(child.lines[0]!) as { health: { status: number; body: { error: string } }; write: { status: number; body: { code: string } } };
    expect(report.health.status).toBe(503);
    expect(report.health.body.error).toMatch(/^billing\.unwritable: .*readonly/);
    expect(report.write).toMatchObject({ status: 503, body: { code: 'billing.unwritable' } });
    const store = new BillingStore({ path });
    closers.push(() => store.close());
    expect(store.byKey('viewer-1', 'health-probe')).toBeUndefined();
  });
});
