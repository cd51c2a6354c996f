import { afterEach, describe, expect, it } from 'vitest';
import { isSimianError } from '../../../src/core/errors.js';
import { SeededRandom } from '../../../src/core/random.js';
import type { ToxicSpec } from '../../../src/providers/provider.js';
import { parseRevertId } from '../../../src/providers/toxiproxy/revert-id.js';
import { ToxiproxyActuator } from '../../../src/providers/toxiproxy/toxiproxy-actuator.js';
import { startHttpRelay } from '../../support/http-relay.js';
import { Cleanup, httpUpstream, portOf, startToxiproxy, timedGet, toxicsOf, tryConnect } from './fixtures.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function setup() {
  const { server, client } = await startToxiproxy(cleanup);
  const upstream = await httpUpstream(cleanup, 'hello');
  const proxy = await client.createProxy({ name: 'catalog-us-east-1a-0', listen: '127.0.0.1:0', upstream });
  return { server, client, proxy, port: portOf(proxy.listen), actuator: new ToxiproxyActuator(server.url, { random: new SeededRandom(1) }) };
}

describe('embedded toxiproxy server', () => {
  it('listens on the same port again after a proxy is disabled and enabled', async () => {
    const { client, proxy, port } = await setup();
    expect(port).toBeGreaterThan(0);
    expect((await timedGet(port)).body).toBe('hello');
    const down = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
    await down.update({ enabled: true, listen: down.listen, upstream: down.upstream });
    expect((await client.get(proxy.name)).listen).toBe(`127.0.0.1:${port}`);
    expect(await tryConnect(port)).toBeUndefined();
    expect((await timedGet(port)).body).toBe('hello');
  });
});

describe('ToxiproxyActuator', () => {
  it('a latency toxic slows requests through the proxy by at least its latency; revert removes it', async () => {
    const { server, client, proxy, port, actuator } = await setup();
    const handle = await actuator.injectToxic(proxy.name, { type: 'latency', attributes: { latency: 300 } });
    const action = parseRevertId(handle.id);
    expect(action).toMatchObject({ kind: 'toxic', proxy: proxy.name });
    expect(action.kind === 'toxic' && action.toxic).toMatch(/^simian-[0-9a-z]{12}$/);
    expect(await toxicsOf(client, proxy.name)).toMatchObject([{ type: 'latency', stream: 'downstream', attributes: { latency: 300, jitter: 0 } }]);

    const slow = await timedGet(port);
    expect(slow.body).toBe('hello');
    // A generous lower bound only: the toxic holds the response 300 ms; timers may fire a little early.
    expect(slow.ms).toBeGreaterThanOrEqual(250);

    await handle.revert();
    expect(await toxicsOf(client, proxy.name)).toEqual([]);
    // Reverting again, also from a fresh actuator as after a restart, is harmless.
    await handle.revert();
    if (action.kind === 'toxic') await new ToxiproxyActuator(server.url).revert(action);
    expect(await toxicsOf(client, proxy.name)).toEqual([]);
  });

  it('reverting a toxic whose proxy was deleted is harmless', async () => {
    const { proxy, actuator } = await setup();
    const handle = await actuator.injectToxic(proxy.name, { type: 'timeout', attributes: { timeout: 0 } });
    await proxy.remove();
    await handle.revert();
  });

  it('down disables the proxy (connection refused) and revert enables it on the same port', async () => {
    const { client, proxy, port, actuator } = await setup();
    const handle = await actuator.injectToxic(proxy.name, { type: 'down' });
    expect(handle.id).toBe(`proxies-down:${proxy.name}`);
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
    expect((await client.get(proxy.name)).enabled).toBe(false);
    await handle.revert();
    expect((await client.get(proxy.name)).listen).toBe(`127.0.0.1:${port}`);
    expect((await timedGet(port)).body).toBe('hello');
  });

  it('a down on a proxy that is down already disables nothing, so its revert enables nothing', async () => {
    const { client, proxy, port, actuator } = await setup();
    const first = await actuator.injectToxic(proxy.name, { type: 'down' });
    const second = await actuator.injectToxic(proxy.name, { type: 'down' });
    expect(second.id).toBe('proxies-down:');
    await second.revert();
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
    await first.revert();
    expect((await client.get(proxy.name)).enabled).toBe(true);
  });

  it('maps bandwidth, timeout and reset_peer attributes, upstream when asked', async () => {
    const { client, proxy, actuator } = await setup();
    await actuator.injectToxic(proxy.name, { type: 'bandwidth', attributes: { rate: 10 } });
    await actuator.injectToxic(proxy.name, { type: 'timeout', stream: 'upstream', attributes: { timeout: 250 } });
    await actuator.injectToxic(proxy.name, { type: 'reset_peer' });
    const toxics = await toxicsOf(client, proxy.name);
    // Toxiproxy lists toxics by direction, so the order is not the order of adding.
    expect(toxics).toHaveLength(3);
    expect(toxics.map((t) => [t.type, t.stream, t.attributes])).toEqual(expect.arrayContaining([
      ['bandwidth', 'downstream', { rate: 10 }],
      ['timeout', 'upstream', { timeout: 250 }],
      ['reset_peer', 'downstream', { timeout: 0 }],
    ]));
    expect(new Set(toxics.map((t) => t.name)).size).toBe(3);
  });

  it('refuses unknown, missing or negative attributes before touching the proxy', async () => {
    const { client, proxy, actuator } = await setup();
    const specs: ToxicSpec[] = [
      { type: 'latency', attributes: { latencyMs: 300 } },
      { type: 'latency', attributes: { jitter: 10 } },
      { type: 'bandwidth', attributes: { rate: -1 } },
    ];
    for (const spec of specs) {
      const error = await actuator.injectToxic(proxy.name, spec).catch((e: unknown) => e);
      expect(isSimianError(error, 'provider.badToxic')).toBe(true);
    }
    expect(await toxicsOf(client, proxy.name)).toEqual([]);
  });

  it('draws a fresh name when a repeated seed hits a name that is taken', async () => {
    const { server, client, proxy } = await setup();
    const first = await new ToxiproxyActuator(server.url, { random: new SeededRandom(9) }).injectToxic(proxy.name, { type: 'latency', attributes: { latency: 1 } });
    const second = await new ToxiproxyActuator(server.url, { random: new SeededRandom(9) }).injectToxic(proxy.name, { type: 'latency', attributes: { latency: 1 } });
    expect(second.id).not.toBe(first.id);
    expect(await toxicsOf(client, proxy.name)).toHaveLength(2);
  });

  it('says provider.notFound for an unknown proxy and provider.unreachable when nothing answers', async () => {
    const { server, actuator } = await setup();
    const missing = await actuator.injectToxic('nope', { type: 'latency', attributes: { latency: 1 } }).catch((e: unknown) => e);
    expect(isSimianError(missing, 'provider.notFound')).toBe(true);
    await server.close();
    const unreachable = await actuator.listProxies().catch((e: unknown) => e);
    expect(isSimianError(unreachable, 'provider.unreachable')).toBe(true);
    expect((unreachable as Error).message).toContain(server.url);
  });

  it('a take-down that fails half-way enables again what it had disabled', async () => {
    const { client, proxy, actuator } = await setup();
    const error = await actuator.takeDown([proxy.name, 'missing']).catch((e: unknown) => e);
    expect(isSimianError(error, 'provider.notFound')).toBe(true);
    expect((await client.get(proxy.name)).enabled).toBe(true);
  });

  it('announces the proxies it will take down before the first is disabled, and reports a rollback that fails too', async () => {
    const { server, client, proxy } = await setup();
    const second = await client.createProxy({ name: 'catalog-us-east-1a-1', listen: '127.0.0.1:0', upstream: await httpUpstream(cleanup, 'two') });
    let updates = 0;
    // The second proxy's disable fails; so does enabling the first one again.
    const relay = await startHttpRelay(server.url, (req, body) => {
      if (req.method !== 'POST' || !req.url?.startsWith('/proxies/')) return 'pass';
      updates++;
      if (req.url === `/proxies/${second.name}`) return 500;
      return req.url === `/proxies/${proxy.name}` && body.includes('"enabled":true') ? 500 : 'pass';
    });
    cleanup.add(() => relay.close());
    const intents: Array<{ id: string; updatesSoFar: number }> = [];
    const error = await new ToxiproxyActuator(relay.url, { random: new SeededRandom(1) })
      .takeDown([proxy.name, second.name], { onIntent: async (id) => void intents.push({ id, updatesSoFar: updates }) })
      .catch((e: unknown) => e);
    expect(intents).toEqual([{ id: `proxies-down:${proxy.name},${second.name}`, updatesSoFar: 0 }]);
    expect((error as Error).message).toMatch(new RegExp(`; enabling proxies ${proxy.name} again failed too: `));
    // Left down, and the announced intent is what brings it back.
    expect((await client.get(proxy.name)).enabled).toBe(false);
    await new ToxiproxyActuator(server.url).revert(parseRevertId(intents[0]!.id) as { kind: 'proxies-down'; proxies: string[] });
    expect((await client.get(proxy.name)).enabled).toBe(true);
  });

  it('announces a toxic\'s revert id before adding it, and maps limit_data', async () => {
    const { client, proxy, actuator } = await setup();
    const seen: string[][] = [];
    const handle = await actuator.injectToxic(proxy.name, { type: 'limit_data', attributes: { bytes: 5 } }, {
      onIntent: async (id) => void seen.push([id, String((await toxicsOf(client, proxy.name)).length)]),
    });
    expect(seen).toEqual([[handle.id, '0']]);
    expect(await toxicsOf(client, proxy.name)).toMatchObject([{ type: 'limit_data', attributes: { bytes: 5 } }]);
  });
});
