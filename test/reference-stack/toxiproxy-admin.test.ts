import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createProxy } from '../../src/reference-stack/stack/toxiproxy-admin.js';
import { loopbackServers } from '../support/loopback-servers.js';

const servers = loopbackServers();
afterEach(() => servers.closeAll());

describe('the stack\'s Toxiproxy admin calls', () => {
  it('give up on an admin API that never answers, naming it, instead of holding the stack\'s start', async () => {
    const url = await servers.listen(createServer(() => undefined));
    const created = createProxy(url, { name: 'catalog-us-east-1a-0', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' }, { timeoutMs: 200 });
    await expect(created).rejects.toThrow(/creating proxy "catalog-us-east-1a-0" .*no answer within 200 ms/);
  });
});
