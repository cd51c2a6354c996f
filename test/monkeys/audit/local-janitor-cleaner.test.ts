/**
 * LocalJanitorCleaner against real things: the stack's real admin API (a recorded supervisor signal behind it), the
 * embedded Toxiproxy server, and real files in a temp state directory. Each form is cleaned, what is gone counts
 * as cleaned, and a path that leads out of the data directory is refused.
 */
import { createAdaptorServer } from '@hono/node-server';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import { LocalJanitorCleaner, type LocalJanitorCleanerOptions } from '../../../src/monkeys/audit/local-janitor-cleaner.js';
import type { AdminInstance } from '../../../src/providers/local/local-provider.js';
import { createStackAdminApi } from '../../../src/reference-stack/stack/stack-admin-api.js';
import type { SignalOutcome } from '../../../src/reference-stack/supervisor/supervisor.js';
import { createToxiproxyServer, type ToxiproxyServer } from '../../../src/toxiproxy/server.js';
import { loopbackServers } from '../../support/loopback-servers.js';

const TOKEN = 'stack-token-for-tests-0123456789abcdef';
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
  const dir = await mkdtemp(join(tmpdir(), 'simian-janitor-clean-'));
  dirs.push(dir);
  return dir;
}

const exists = (path: string) => stat(path).then(() => true, () => false);
const base = (stateDir: string): LocalJanitorCleanerOptions => ({ stateDir, clock: new ManualClock(), timeoutMs: 5_000 });

function slot(id: string, extra: Partial<AdminInstance> = {}): AdminInstance {
  return { id, service: id.split('-')[0]!, region: 'us-east', zone: 'us-east-1a', pid: 4242, address: 'http://127.0.0.1:41001', launchedAt: 0, state: 'running', ...extra };
}

/** The stack's admin API over a fixed inventory; every signal it is asked to send is recorded and answered with `outcome`. */
async function adminApi(inventory: AdminInstance[], outcome: (id: string, pid: number) => SignalOutcome = (_id, pid) => ({ outcome: 'signalled', pid })) {
  const signals: Array<{ id: string; signal: string; pid: number }> = [];
  const api = createStackAdminApi({
    stackToken: TOKEN,
    inventory: () => inventory,
    signal: (id, signal, pid) => {
      signals.push({ id, signal, pid });
      return outcome(id, pid);
    },
    metrics: async () => '',
  });
  const adminUrl = await servers.listen(createAdaptorServer({ fetch: api.fetch }) as Server);
  return { adminUrl, signals };
}

async function toxiproxyCall(method: string, path: string, body?: unknown): Promise<number> {
  const response = await fetch(new URL(path, toxiproxy!.url), { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  await response.body?.cancel();
  return response.status;
}

describe('LocalJanitorCleaner', () => {
  it('is the local provider', () => {
    expect(new LocalJanitorCleaner({ stateDir: '/tmp/x', clock: new ManualClock() }).provider).toBe('local');
  });

  describe('instance/<slot id>', () => {
    it('sends SIGTERM through the admin API with the pid the inventory shows', async () => {
      const { adminUrl, signals } = await adminApi([slot('catalog-us-east-1a-0'), slot('catalog-us-east-1b-0', { pid: 5151 })]);
      await new LocalJanitorCleaner({ ...base(await tempDir()), adminUrl, stackToken: TOKEN }).clean('instance/catalog-us-east-1b-0');
      expect(signals).toEqual([{ id: 'catalog-us-east-1b-0', signal: 'SIGTERM', pid: 5151 }]);
    });

    it('counts a slot that is gone, has no process, or was replaced meanwhile as cleaned', async () => {
      const { adminUrl, signals } = await adminApi([slot('catalog-us-east-1a-0', { state: 'crashed', pid: null }), slot('catalog-us-east-1b-0')], () => ({ outcome: 'replaced', pid: 9999 }));
      const cleaner = new LocalJanitorCleaner({ ...base(await tempDir()), adminUrl, stackToken: TOKEN });
      await cleaner.clean('instance/catalog-us-east-2a-0');
      await cleaner.clean('instance/catalog-us-east-1a-0');
      expect(signals).toEqual([]);
      await cleaner.clean('instance/catalog-us-east-1b-0');
      expect(signals).toHaveLength(1);
    });

    it('rejects when the stack refuses the token, or does not answer', async () => {
      const { adminUrl } = await adminApi([slot('catalog-us-east-1a-0')]);
      await expect(new LocalJanitorCleaner({ ...base(await tempDir()), adminUrl, stackToken: 'not-the-token' }).clean('instance/catalog-us-east-1a-0')).rejects.toMatchObject({ code: 'provider.unauthorized' });
      await servers.closeAll();
      await expect(new LocalJanitorCleaner({ ...base(await tempDir()), adminUrl, stackToken: TOKEN }).clean('instance/catalog-us-east-1a-0')).rejects.toMatchObject({ code: 'provider.unreachable' });
    });
  });

  describe('proxy/<name> and toxic/<proxy>/<toxic>', () => {
    it('deletes a proxy and a toxic on the Toxiproxy admin API; gone again is cleaned', async () => {
      toxiproxy = await createToxiproxyServer({ port: 0 });
      for (const name of ['catalog-us-east-1a-0', 'catalog-us-east-2a-0']) await toxiproxyCall('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: '127.0.0.1:9' });
      await toxiproxyCall('POST', '/proxies/catalog-us-east-1a-0/toxics', { name: 'left-over', type: 'latency', attributes: { latency: 100 } });
      await toxiproxyCall('POST', '/proxies/catalog-us-east-1a-0/toxics', { name: 'kept', type: 'latency', attributes: { latency: 100 } });
      const cleaner = new LocalJanitorCleaner({ ...base(await tempDir()), toxiproxyUrl: toxiproxy.url });

      await cleaner.clean('toxic/catalog-us-east-1a-0/left-over');
      expect(await toxiproxyCall('GET', '/proxies/catalog-us-east-1a-0/toxics/left-over')).toBe(404);
      expect(await toxiproxyCall('GET', '/proxies/catalog-us-east-1a-0/toxics/kept')).toBe(200);
      await cleaner.clean('proxy/catalog-us-east-2a-0');
      expect(await toxiproxyCall('GET', '/proxies/catalog-us-east-2a-0')).toBe(404);
      expect(await toxiproxyCall('GET', '/proxies/catalog-us-east-1a-0')).toBe(200);

      await cleaner.clean('toxic/catalog-us-east-1a-0/left-over');
      await cleaner.clean('toxic/catalog-us-east-2a-0/anything');
      await cleaner.clean('proxy/catalog-us-east-2a-0');
    });

    it('rejects on any other answer, and without an answer', async () => {
      const failing = await servers.listen(
        createServer((_req, res) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"error":"boom"}');
        }),
      );
      await expect(new LocalJanitorCleaner({ ...base(await tempDir()), toxiproxyUrl: failing }).clean('proxy/catalog-us-east-1a-0')).rejects.toMatchObject({
        code: 'provider.toxiproxyFailed',
        message: expect.stringContaining('HTTP 500'),
      });
      await servers.closeAll();
      await expect(new LocalJanitorCleaner({ ...base(await tempDir()), toxiproxyUrl: failing }).clean('toxic/a-b-0/t')).rejects.toMatchObject({ code: 'provider.unreachable' });
    });
  });

  describe('data/<path>', () => {
    async function stateDir() {
      const dir = await tempDir();
      const outside = await tempDir();
      await mkdir(join(dir, 'data', 'old-run', 'deep'), { recursive: true });
      await writeFile(join(dir, 'data', 'old-run', 'deep', 'f.txt'), 'x');
      await writeFile(join(dir, 'data', 'billing-us-east.db'), 'old');
      await writeFile(join(dir, 'simian.db'), 'state store');
      await writeFile(join(outside, 'precious.txt'), 'do not touch');
      await symlink(outside, join(dir, 'data', 'link-out'));
      await symlink(join(dir, 'data', 'old-run'), join(dir, 'data', 'link-in'));
      return { dir, outside };
    }

    it('removes a file and a directory inside the data directory; gone is cleaned', async () => {
      const { dir } = await stateDir();
      const cleaner = new LocalJanitorCleaner(base(dir));
      await cleaner.clean('data/data/billing-us-east.db');
      await cleaner.clean('data/data/old-run');
      expect(await exists(join(dir, 'data', 'billing-us-east.db'))).toBe(false);
      expect(await exists(join(dir, 'data', 'old-run'))).toBe(false);
      expect(await exists(join(dir, 'data'))).toBe(true);
      await cleaner.clean('data/data/old-run');
      await cleaner.clean('data/data/never-was/here');
    });

    it('removes a link that stays inside, never what it points at', async () => {
      const { dir } = await stateDir();
      await new LocalJanitorCleaner(base(dir)).clean('data/data/link-in');
      expect(await exists(join(dir, 'data', 'link-in'))).toBe(false);
      expect(await exists(join(dir, 'data', 'old-run', 'deep', 'f.txt'))).toBe(true);
    });

    it.each([
      ['data/../outside'],
      ['data/data/../../outside'],
      ['data/data/./x'],
      ['data//etc/passwd'],
      ['data/simian.db'],
      ['data/no-such-dir/file'],
      ['data/data'],
      ['data/data/link-out'],
      ['data/data/link-out/precious.txt'],
    ])('refuses %s', async (resource) => {
      const { dir, outside } = await stateDir();
      await expect(new LocalJanitorCleaner(base(dir)).clean(resource)).rejects.toMatchObject({ code: 'janitor.unknownResource' });
      expect(await exists(join(outside, 'precious.txt'))).toBe(true);
      expect(await exists(join(dir, 'simian.db'))).toBe(true);
      expect(await exists(join(dir, 'data', 'link-out'))).toBe(true);
    });
  });

  it.each([['bucket/x'], ['instance'], ['instance/'], ['instance/a/b'], ['proxy/a/b'], ['toxic/a'], ['toxic/a/b/c']])('refuses %s as no local form', async (resource) => {
    await expect(new LocalJanitorCleaner(base(await tempDir())).clean(resource)).rejects.toMatchObject({ code: 'janitor.unknownResource' });
  });
});
