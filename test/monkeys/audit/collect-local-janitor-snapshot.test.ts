/**
 * collectLocalJanitorSnapshot against real things in this process: real files in a temp state directory, the
 * embedded Toxiproxy server on a loopback port, a real discovery service and the stack's real admin API (serving a
 * fixed inventory instead of a supervisor); then the local Janitor rules over what it gathered. The whole stack is
 * not started.
 */
import { createAdaptorServer } from '@hono/node-server';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import { DEFAULT_AUDIT_CONFIG } from '../../../src/monkeys/audit/audit-config.js';
import { collectLocalJanitorSnapshot, type CollectLocalJanitorSnapshotOptions } from '../../../src/monkeys/audit/collect-local-janitor-snapshot.js';
import { localJanitorRules } from '../../../src/monkeys/audit/local-janitor-rules.js';
import { runRules } from '../../../src/monkeys/audit/rule.js';
import type { AdminInstance } from '../../../src/providers/local/local-provider.js';
import { createDiscoveryService } from '../../../src/reference-stack/discovery/discovery-service.js';
import { createStackAdminApi } from '../../../src/reference-stack/stack/stack-admin-api.js';
import { StackAdminClient } from '../../../src/reference-stack/stack/stack-admin-client.js';
import { createToxiproxyServer, type ToxiproxyServer } from '../../../src/toxiproxy/server.js';
import { loopbackServers } from '../../support/loopback-servers.js';

const TOKEN = 'stack-token-for-tests-0123456789abcdef';
const NOW = Date.UTC(2026, 5, 1, 12);
const servers = loopbackServers();
let dirs: string[] = [];
let toxiproxy: ToxiproxyServer | undefined;

beforeEach(() => {
  dirs = [];
});
afterEach(async () => {
  await servers.closeAll();
  await toxiproxy?.close();
  toxiproxy = undefined;
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'simian-janitor-'));
  dirs.push(dir);
  return dir;
}

const serve = (app: { fetch: (r: Request) => Response | Promise<Response> }) => servers.listen(createAdaptorServer({ fetch: app.fetch }) as Server);

function slot(id: string, address: string, extra: Partial<AdminInstance> = {}): AdminInstance {
  const [service, , zoneSuffix] = id.split('-');
  return { id, service: service!, region: 'us-east', zone: `us-east-${zoneSuffix}`, pid: process.pid, address, publicAddress: address, launchedAt: NOW - 5 * 60_000, state: 'running', restarts: 0, ...extra };
}

async function toxiproxyCall(method: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(new URL(path, toxiproxy!.url), { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.ok).toBe(true);
  await response.body?.cancel();
}

/** A small stack: discovery listing one catalog; another catalog and an opted-out user it does not list; a crashed billing. */
async function smallStack(): Promise<Pick<CollectLocalJanitorSnapshotOptions, 'inventory' | 'toxiproxyUrl'>> {
  const discovery = createDiscoveryService({ identity: { service: 'discovery', region: 'us-east', zone: 'us-east-1a', instanceId: 'discovery-us-east-1a-0' }, stackToken: TOKEN });
  const discoveryUrl = await serve(discovery.app);
  const catalogUrl = 'http://127.0.0.1:41001';
  discovery.registry.register({ instanceId: `catalog-us-east-1a-0@${process.pid}`, service: 'catalog', region: 'us-east', zone: 'us-east-1a', address: catalogUrl });
  const inventory: AdminInstance[] = [
    slot('discovery-us-east-1a-0', discoveryUrl),
    slot('catalog-us-east-1a-0', catalogUrl, { tags: { owner: 'team-catalog' } }),
    slot('catalog-us-east-1b-0', 'http://127.0.0.1:41002', { tags: { owner: 'team-catalog' } }),
    slot('user-us-east-1a-0', 'http://127.0.0.1:41003', { tags: { 'simian/janitor': 'opt-out' } }),
    slot('billing-us-east-1a-0', 'http://127.0.0.1:41004', { state: 'crashed', pid: null, restarts: 2 }),
  ];
  const adminUrl = await serve(createStackAdminApi({ stackToken: TOKEN, inventory: () => inventory, signal: () => ({ outcome: 'unknown' }), metrics: async () => '' }));
  const admin = new StackAdminClient({ adminUrl });

  toxiproxy = await createToxiproxyServer({ port: 0 });
  for (const name of ['catalog-us-east-1a-0', 'catalog-us-east-2a-0', 'redis']) {
    await toxiproxyCall('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: '127.0.0.1:9' });
  }
  for (const [proxy, toxic] of [
    ['catalog-us-east-1a-0', 'simian-owned'],
    ['catalog-us-east-1a-0', 'left-over'],
    ['redis', 'theirs'],
  ] as const) {
    await toxiproxyCall('POST', `/proxies/${proxy}/toxics`, { name: toxic, type: 'latency', attributes: { latency: 100 } });
  }
  return { inventory: () => admin.inventory(), toxiproxyUrl: toxiproxy.url };
}

/** A state directory with the ledger billing uses, an old per-region ledger, a leftover folder, a kept one, a link out. */
async function stateDirWithData(): Promise<string> {
  const stateDir = await tempDir();
  const outside = await tempDir();
  const data = join(stateDir, 'data');
  await mkdir(join(data, 'old-run'), { recursive: true });
  await mkdir(join(data, 'kept'));
  await writeFile(join(data, 'billing.db'), 'ledger');
  await writeFile(join(data, 'billing.db-wal'), 'wal');
  await writeFile(join(data, 'billing-us-east.db'), 'old ledger');
  await writeFile(join(data, 'old-run', 'notes.txt'), 'x');
  await writeFile(join(data, 'kept', '.simian-keep'), '');
  await symlink(outside, join(data, 'link-out'));
  await writeFile(join(stateDir, 'simian.db'), 'state store');
  return stateDir;
}

describe('collectLocalJanitorSnapshot', () => {
  it('reads instances, registrations, data and proxies from real files and servers', async () => {
    const stack = await smallStack();
    const stateDir = await stateDirWithData();
    const snapshot = await collectLocalJanitorSnapshot({
      ...stack,
      stateDir,
      // Ids of other kinds and ids that do not parse own no toxic.
      ownedRevertIds: () => ['toxic:catalog-us-east-1a-0:simian-owned', 'evacuate:us-west', 'not-a-revert-id', 'toxic:broken'],
      clock: new ManualClock(NOW),
      timeoutMs: 5_000,
    });
    expect(snapshot.takenAt).toBe(NOW);

    const byId = new Map(snapshot.instances.map((i) => [i.id, i]));
    expect([...byId.keys()]).toEqual(['discovery-us-east-1a-0', 'catalog-us-east-1a-0', 'catalog-us-east-1b-0', 'user-us-east-1a-0', 'billing-us-east-1a-0']);
    expect(byId.get('catalog-us-east-1a-0')).toMatchObject({ registered: true, owner: 'team-catalog', optedOut: false, state: 'running' });
    expect(byId.get('catalog-us-east-1b-0')).toMatchObject({ registered: false });
    expect(byId.get('user-us-east-1a-0')).toMatchObject({ registered: false, optedOut: true });
    expect(byId.get('discovery-us-east-1a-0')!.registered).toBeUndefined();
    // Not running: registration is not asked; the admin API cannot say whether it restarts.
    expect(byId.get('billing-us-east-1a-0')).toMatchObject({ state: 'crashed' });
    expect(byId.get('billing-us-east-1a-0')).not.toHaveProperty('registered');
    expect(byId.get('billing-us-east-1a-0')).not.toHaveProperty('restarting');
    expect(byId.get('billing-us-east-1a-0')).not.toHaveProperty('pid');

    // The symbolic link and the state store outside data/ are not offered; the keep file is not an entry.
    expect(snapshot.data!.map((d) => [d.path, d.kind, d.usedBy, d.optedOut])).toEqual([
      ['data/billing-us-east.db', 'file', [], false],
      ['data/billing.db', 'file', ['billing-us-east-1a-0'], false],
      ['data/billing.db-wal', 'file', ['billing-us-east-1a-0'], false],
      ['data/kept', 'directory', [], true],
      ['data/old-run', 'directory', [], false],
    ]);

    expect(snapshot.proxies!.map((p) => ({ name: p.name, stackSlot: p.stackSlot, instanceKnown: p.instanceKnown, toxics: p.toxics }))).toEqual([
      {
        name: 'catalog-us-east-1a-0',
        stackSlot: true,
        instanceKnown: true,
        toxics: [
          { name: 'simian-owned', type: 'latency', ownedByFault: true },
          { name: 'left-over', type: 'latency', ownedByFault: false },
        ],
      },
      { name: 'catalog-us-east-2a-0', stackSlot: true, instanceKnown: false, toxics: [] },
      { name: 'redis', stackSlot: false, instanceKnown: false, toxics: [{ name: 'theirs', type: 'latency', ownedByFault: false }] },
    ]);

    const findings = runRules(localJanitorRules({ ...DEFAULT_AUDIT_CONFIG, janitor: { ...DEFAULT_AUDIT_CONFIG.janitor, defaultOwner: 'sre@example.com' } }), snapshot);
    expect(findings.map((f) => [f.rule, f.resource, f.owner, f.optedOut ?? false])).toEqual([
      ['janitor.orphaned-proxy', 'proxy/catalog-us-east-2a-0', 'sre@example.com', false],
      ['janitor.orphaned-proxy', 'toxic/catalog-us-east-1a-0/left-over', 'team-catalog', false],
      ['janitor.unregistered-instance', 'instance/catalog-us-east-1b-0', 'team-catalog', false],
      ['janitor.unregistered-instance', 'instance/user-us-east-1a-0', 'sre@example.com', true],
      ['janitor.orphaned-data', 'data/data/billing-us-east.db', 'sre@example.com', false],
      ['janitor.orphaned-data', 'data/data/kept', 'sre@example.com', true],
      ['janitor.orphaned-data', 'data/data/old-run', 'sre@example.com', false],
    ]);
  });

  it("does not take a desired slot's proxy for an orphan while the stack starts", async () => {
    const stack = await smallStack();
    const snapshot = await collectLocalJanitorSnapshot({
      ...stack,
      stateDir: await tempDir(),
      ownedRevertIds: () => [],
      desiredSlotIds: ['catalog-us-east-2a-0'],
      clock: new ManualClock(NOW),
      timeoutMs: 5_000,
    });
    expect(snapshot.proxies!.find((p) => p.name === 'catalog-us-east-2a-0')!.instanceKnown).toBe(true);
    // No data directory yet: nothing there.
    expect(snapshot.data).toEqual([]);
  });

  it('keeps everything in a data directory with a keep file, and looks at no data directory outside the state directory', async () => {
    const stateDir = await stateDirWithData();
    await writeFile(join(stateDir, 'data', '.simian-keep'), '');
    const base = { inventory: async () => [], stateDir, ownedRevertIds: () => [], clock: new ManualClock(NOW), timeoutMs: 5_000 };
    const kept = await collectLocalJanitorSnapshot(base);
    expect(kept.data!.length).toBeGreaterThan(0);
    expect(kept.data!.every((d) => d.optedOut)).toBe(true);
    const elsewhere = await collectLocalJanitorSnapshot({ ...base, dataDir: await tempDir() });
    expect(elsewhere).not.toHaveProperty('data');
  });

  it('cannot tell the proxies when Toxiproxy does not answer', async () => {
    toxiproxy = await createToxiproxyServer({ port: 0 });
    const url = toxiproxy.url;
    await toxiproxy.close();
    toxiproxy = undefined;
    const snapshot = await collectLocalJanitorSnapshot({ inventory: async () => [], toxiproxyUrl: url, stateDir: await tempDir(), ownedRevertIds: () => [], clock: new ManualClock(NOW), timeoutMs: 5_000 });
    expect(snapshot).not.toHaveProperty('proxies');
    expect(runRules(localJanitorRules(DEFAULT_AUDIT_CONFIG), snapshot)).toEqual([]);
  });
});
