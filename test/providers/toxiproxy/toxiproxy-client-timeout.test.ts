import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { isSimianError } from '../../../src/core/errors.js';
import { ToxiproxyActuator } from '../../../src/providers/toxiproxy/toxiproxy-actuator.js';
import { loopbackServers } from '../../support/loopback-servers.js';

const servers = loopbackServers();
afterEach(() => servers.closeAll());

/** What a call to the actuator ended with: its error, or `undefined` when it succeeded. */
const failureOf = (call: Promise<unknown>) => call.then(() => undefined, (error: unknown) => error);

describe('ToxiproxyActuator HTTP', () => {
  it('gives up on a Toxiproxy API that never answers after its timeout, as provider.unreachable', async () => {
    let asked = 0;
    const url = await servers.listen(createServer(() => void asked++));
    const error = await failureOf(new ToxiproxyActuator(url, { timeoutMs: 200 }).listProxies());
    expect(asked).toBe(1);
    expect(isSimianError(error, 'provider.unreachable')).toBe(true);
    expect((error as Error).message).toContain('no answer within 200 ms');
  });

  it('gives up on an answer whose body stalls half-way, within the same timeout', async () => {
    const url = await servers.listen(
      createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        response.write('{"catalog":');
      }),
    );
    const error = await failureOf(new ToxiproxyActuator(url, { timeoutMs: 200 }).listProxies());
    expect(isSimianError(error, 'provider.unreachable')).toBe(true);
  });

  it('sends every request through the injected fetch, with a signal that bounds it', async () => {
    const seen: Array<{ url: string; method: string; signal: AbortSignal | undefined }> = [];
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      seen.push({ url: String(input), method: init?.method ?? 'GET', signal: init?.signal ?? undefined });
      // The client's own errors are kept: a 404 is provider.notFound, an answer that is not JSON toxiproxyFailed.
      if (String(input).endsWith('/gone')) return new Response('proxy not found', { status: 404 });
      if (String(input).endsWith('/html')) return new Response('<html>', { status: 200 });
      const proxy = { name: 'catalog', listen: '127.0.0.1:4000', upstream: '127.0.0.1:5000', enabled: true, toxics: [] };
      return Response.json(String(input).endsWith('/proxies') ? { catalog: proxy } : proxy);
    }) as typeof globalThis.fetch;
    const actuator = new ToxiproxyActuator('http://toxiproxy.invalid:8474', { fetch });
    expect(await actuator.listProxies()).toEqual([{ name: 'catalog', listen: '127.0.0.1:4000', upstream: '127.0.0.1:5000', enabled: true }]);
    expect(await actuator.disableProxy('catalog')).toBe(true);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET http://toxiproxy.invalid:8474/proxies',
      'GET http://toxiproxy.invalid:8474/proxies/catalog',
      'POST http://toxiproxy.invalid:8474/proxies/catalog',
    ]);
    expect(seen.every((s) => s.signal instanceof AbortSignal)).toBe(true);
    expect(isSimianError(await failureOf(actuator.disableProxy('gone')), 'provider.notFound')).toBe(true);
    expect(isSimianError(await failureOf(actuator.disableProxy('html')), 'provider.toxiproxyFailed')).toBe(true);
  });
});
