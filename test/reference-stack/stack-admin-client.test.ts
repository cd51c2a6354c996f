import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { isSimianError } from '../../src/core/errors.js';
import { StackAdminClient } from '../../src/reference-stack/stack/stack-admin-client.js';
import { createStackAdminApi } from '../../src/reference-stack/stack/stack-admin-api.js';
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import type { SignalOutcome } from '../../src/reference-stack/supervisor/supervisor.js';
import { loopbackServers } from '../support/loopback-servers.js';

const servers = loopbackServers();
afterEach(() => servers.closeAll());

const INSTANCE = { id: 'catalog-a-0', service: 'catalog', region: 'r', zone: 'r-a', pid: 4242, address: 'http://127.0.0.1:1', publicAddress: 'http://127.0.0.1:2', launchedAt: 5, state: 'running', restarts: 0, tags: {} };

/** The real admin app over a fake supervisor, on a loopback port. */
async function realApi(signal: (id: string, pid: number) => 'signalled' | 'unknown' | 'replaced'): Promise<string> {
  const app = createStackAdminApi({
    stackToken: 'token',
    inventory: () => [INSTANCE],
    signal: (id, _signal, pid): SignalOutcome => {
      const outcome = signal(id, pid);
      return outcome === 'replaced' ? { outcome, pid: pid + 1 } : outcome === 'signalled' ? { outcome, pid } : { outcome };
    },
    metrics: async () => '',
  });
  return servers.listen(createAdaptorServer({ fetch: app.fetch }) as Server);
}

describe('StackAdminClient', () => {
  it('reads the inventory the real admin API serves, and maps every termination answer', async () => {
    const adminUrl = await realApi((id, pid) => (id !== INSTANCE.id ? 'unknown' : pid === INSTANCE.pid ? 'signalled' : 'replaced'));
    const admin = new StackAdminClient({ adminUrl, stackToken: 'token' });
    expect(await admin.inventory()).toEqual([INSTANCE]);
    expect(await admin.terminate(INSTANCE.id, { pid: 4242, signal: 'SIGKILL' })).toEqual({ outcome: 'signalled' });
    expect(await admin.terminate(INSTANCE.id, { pid: 1, signal: 'SIGKILL' })).toMatchObject({ outcome: 'gone', reason: expect.stringContaining('it was replaced') });
    expect(await admin.terminate('nope', { pid: 1, signal: 'SIGTERM' })).toMatchObject({ outcome: 'gone', reason: 'no instance nope in this stack' });
    const stranger = new StackAdminClient({ adminUrl, stackToken: 'not-the-token' });
    expect(await stranger.terminate(INSTANCE.id, { pid: 4242, signal: 'SIGKILL' })).toMatchObject({ outcome: 'unauthorized' });
  });

  it('says stack.badAnswer for a body that is not an inventory, naming the field, and stack.unreachable for a closed port', async () => {
    const adminUrl = await servers.listen(createServer((_req, res) => res.end(JSON.stringify({ instances: [{ id: 'x' }] }))));
    const error = await new StackAdminClient({ adminUrl }).inventory().catch((e: unknown) => e);
    expect(isSimianError(error, 'stack.badAnswer')).toBe(true);
    expect((error as Error).message).toMatch(/instances\.0\.service/);
    const closed = await new StackAdminClient({ adminUrl: 'http://127.0.0.1:9' }).inventory().catch((e: unknown) => e);
    expect(isSimianError(closed, 'stack.unreachable')).toBe(true);
  });
});
