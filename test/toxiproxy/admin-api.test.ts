import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Latency } from 'toxiproxy-node-client';
import { Harness, portOf } from './harness.js';

const harnesses: Harness[] = [];
async function start(): Promise<Harness> {
  const harness = await Harness.start();
  harnesses.push(harness);
  return harness;
}

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

/** A raw request to the admin API, for status codes and bodies the client does not expose. */
async function call(h: Harness, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${h.server.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json: json as Record<string, unknown> };
}

function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (result.error) throw new Error(`promtool is not installed (apt-get install prometheus): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('admin API: proxies', () => {
  it('reports a version', async () => {
    const h = await start();
    expect(JSON.parse(await h.client.getVersion())).toEqual({ version: expect.stringMatching(/^2\.\d+\.\d+/) });
  });

  it('creates a proxy on an ephemeral port and shows the real one, with its toxics', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    const proxy = await h.client.createProxy({ name: 'catalog', listen: '127.0.0.1:0', upstream: echo.address });
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(portOf(proxy.listen)).toBeGreaterThan(0);
    expect(proxy.enabled).toBe(true);

    const shown = await call(h, 'GET', '/proxies/catalog');
    expect(shown.json).toEqual({ name: 'catalog', listen: proxy.listen, upstream: echo.address, enabled: true, toxics: [] });
    const all = await h.client.getAll();
    expect(Object.keys(all)).toEqual(['catalog']);
    expect((await h.client.get('catalog')).listen).toBe(proxy.listen);
  });

  it('answers 201 on create, 409 on a taken name, 400 naming a missing field or bad JSON, 404 on an unknown proxy', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    const created = await call(h, 'POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream: echo.address });
    expect(created.status).toBe(201);

    await expect(h.client.createProxy({ name: 'a', listen: '127.0.0.1:0', upstream: echo.address })).rejects.toThrow('409');
    expect(await call(h, 'POST', '/proxies', { name: 'a', upstream: echo.address })).toMatchObject({
      status: 409,
      json: { error: 'proxy already exists', status: 409 },
    });
    expect((await call(h, 'POST', '/proxies', { name: 'b', listen: '127.0.0.1:0' })).json).toEqual({
      error: 'missing required field: upstream',
      status: 400,
    });
    expect((await call(h, 'POST', '/proxies', { upstream: echo.address })).json).toEqual({ error: 'missing required field: name', status: 400 });
    const badJson = await call(h, 'POST', '/proxies', '{"name": ');
    expect(badJson.status).toBe(400);
    expect(badJson.json['error']).toMatch(/^bad request body: /);
    const badListen = await call(h, 'POST', '/proxies', { name: 'c', listen: 'nowhere', upstream: echo.address });
    expect(badListen.status).toBe(400);
    expect(badListen.json['error']).toContain('listen');
    const badType = await call(h, 'POST', '/proxies', { name: 7, upstream: echo.address });
    expect(badType.json['error']).toContain('"name"');
    expect(await call(h, 'GET', '/proxies/nope')).toMatchObject({ status: 404, json: { error: 'proxy not found', status: 404 } });
    await expect(h.client.get('nope')).rejects.toThrow('404');
  });

  it('answers 500 with Go-like wording when the listen port is taken', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    const taken = await call(h, 'POST', '/proxies', { name: 'taken', listen: echo.address, upstream: echo.address });
    expect(taken.status).toBe(500);
    expect(taken.json['error']).toContain(`listen tcp ${echo.address}`);
    expect((await call(h, 'GET', '/proxies')).json).toEqual({});
  });

  it('updates upstream and listen (restarting the proxy) and deletes with 204', async () => {
    const h = await start();
    const first = await h.upstream({ echo: true });
    const second = await h.upstream({ echo: true });
    const { proxy } = await h.proxy('svc', first);
    const moved = await proxy.update({ enabled: true, listen: '127.0.0.1:0', upstream: second.address });
    expect(moved.upstream).toBe(second.address);
    expect(moved.listen).toBe(proxy.listen); // port 0 on the same host keeps the bound port
    const patched = await call(h, 'PATCH', '/proxies/svc', { enabled: false });
    expect(patched.json).toMatchObject({ enabled: false, upstream: second.address });

    expect((await call(h, 'DELETE', '/proxies/svc')).status).toBe(204);
    expect((await call(h, 'DELETE', '/proxies/svc')).status).toBe(404);
  });

  it('populate creates, keeps matching proxies untouched (idempotent) and replaces changed ones', async () => {
    const h = await start();
    const a = await h.upstream({ echo: true });
    const b = await h.upstream({ echo: true });
    const body = [
      { name: 'a', listen: '127.0.0.1:0', upstream: a.address },
      { name: 'b', listen: '127.0.0.1:0', upstream: b.address, enabled: false },
    ];
    const created = await call(h, 'POST', '/populate', body);
    expect(created.status).toBe(201);
    const proxies = created.json['proxies'] as Array<{ name: string; listen: string; enabled: boolean }>;
    expect(proxies.map((p) => [p.name, p.enabled])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    const proxyA = await h.client.get('a');
    await proxyA.addToxic<Latency>({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 10, jitter: 0 } });

    const again = await h.client.populate(body);
    expect(again['a']!.listen).toBe(proxyA.listen);
    expect((await call(h, 'GET', '/proxies/a/toxics')).json).toHaveLength(1);

    const changed = await call(h, 'POST', '/populate', [{ name: 'a', listen: '127.0.0.1:0', upstream: b.address }]);
    expect(changed.status).toBe(201);
    expect((await call(h, 'GET', '/proxies/a')).json).toMatchObject({ upstream: b.address, toxics: [] });

    const bad = await call(h, 'POST', '/populate', [{ name: 'c', upstream: a.address }, { upstream: a.address }]);
    expect(bad.json).toEqual({ error: 'missing required field: name at proxy 2', status: 400 });
    expect(Object.keys((await call(h, 'GET', '/proxies')).json).sort()).toEqual(['a', 'b']);
    expect((await call(h, 'POST', '/populate', { name: 'x' })).status).toBe(400);
  });

  it('reset enables every proxy and removes every toxic', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    const { proxy, port } = await h.proxy('svc', echo);
    await proxy.addToxic<Latency>({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 0 } });
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });

    await h.client.reset();
    const after = await call(h, 'GET', '/proxies/svc');
    expect(after.json).toMatchObject({ enabled: true, toxics: [], listen: `127.0.0.1:${port}` });
    expect((await call(h, 'POST', '/reset')).status).toBe(204);
  });

  it('refuses browsers (User-Agent Mozilla/…) with 403', async () => {
    const h = await start();
    const refused = await call(h, 'GET', '/proxies', undefined, { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64)' });
    expect(refused.status).toBe(403);
    expect(refused.text).toBe('User agent not allowed\n');
    expect((await call(h, 'GET', '/proxies', undefined, { 'User-Agent': 'curl/8.0' })).status).toBe(200);
  });

  it('refuses web pages (an Origin header) with 403, whatever their User-Agent, and changes nothing', async () => {
    const h = await start();
    const page = { 'User-Agent': 'curl/8.0', Origin: 'http://evil.example' };
    const refused = await call(h, 'POST', '/reset', undefined, page);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Origin');
    expect((await call(h, 'POST', '/populate', [{ name: 'from-a-page', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' }], page)).status).toBe(403);
    expect((await call(h, 'GET', '/proxies')).json).toEqual({});
  });

  it('answers 404 for unknown routes and 405 for a wrong method', async () => {
    const h = await start();
    expect((await call(h, 'GET', '/nothing')).status).toBe(404);
    expect((await call(h, 'PUT', '/proxies')).status).toBe(405);
  });
});

describe('admin API: toxics', () => {
  it('fills in Toxiproxy defaults: name <type>_<stream>, stream downstream, toxicity 1, attributes 0', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    await h.proxy('svc', echo);
    const created = await call(h, 'POST', '/proxies/svc/toxics', { type: 'latency' });
    expect(created.status).toBe(200);
    expect(created.json).toEqual({
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 0, jitter: 0 },
    });
    const up = await call(h, 'POST', '/proxies/svc/toxics', { type: 'bandwidth', stream: 'upstream', attributes: { rate: 5 } });
    expect(up.json).toMatchObject({ name: 'bandwidth_upstream', attributes: { rate: 5 } });
    const listed = (await call(h, 'GET', '/proxies/svc/toxics')).json as unknown as Array<{ name: string }>;
    expect(listed.map((t) => t.name)).toEqual(['bandwidth_upstream', 'latency_downstream']);
  });

  it('creates, reads, updates and removes through the official client; 409 on a taken name', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    const { proxy } = await h.proxy('svc', echo);
    const toxic = await proxy.addToxic<Latency>({ name: 'lat', type: 'latency', stream: 'upstream', toxicity: 0.5, attributes: { latency: 300, jitter: 20 } });
    expect(toxic.toJson()).toEqual({ name: 'lat', type: 'latency', stream: 'upstream', toxicity: 0.5, attributes: { latency: 300, jitter: 20 } });
    await expect(
      proxy.addToxic<Latency>({ name: 'lat', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 1, jitter: 0 } }),
    ).rejects.toThrow('409');
    expect((await call(h, 'POST', '/proxies/svc/toxics', { name: 'lat', type: 'timeout' })).json).toEqual({ error: 'toxic already exists', status: 409 });

    const updated = await toxic.update({ ...toxic.toJson(), toxicity: 1, attributes: { latency: 50, jitter: 0 } });
    expect(updated.toJson()).toMatchObject({ toxicity: 1, attributes: { latency: 50, jitter: 0 } });
    const merged = await call(h, 'PATCH', '/proxies/svc/toxics/lat', { attributes: { jitter: 5 } });
    expect(merged.json).toMatchObject({ toxicity: 1, attributes: { latency: 50, jitter: 5 } });
    expect((await proxy.getToxic<Latency>('lat')).attributes).toEqual({ latency: 50, jitter: 5 });

    await updated.remove();
    expect((await call(h, 'GET', '/proxies/svc/toxics/lat')).json).toEqual({ error: 'toxic not found', status: 404 });
    expect((await call(h, 'DELETE', '/proxies/svc/toxics/lat')).status).toBe(404);
  });

  it('rejects bad toxics with 400 and a message naming the field', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    await h.proxy('svc', echo);
    const post = (body: unknown) => call(h, 'POST', '/proxies/svc/toxics', body);
    expect((await post({ type: 'nope' })).json).toEqual({ error: 'invalid toxic type: nope', status: 400 });
    expect((await post({})).json).toEqual({ error: 'missing required field: type', status: 400 });
    expect((await post({ type: 'latency', stream: 'sideways' })).json).toEqual({
      error: 'stream was invalid, can be either upstream or downstream',
      status: 400,
    });
    expect((await post({ type: 'latency', toxicity: 2 })).json['error']).toContain('toxicity');
    expect((await post({ type: 'latency', attributes: { latency: 'slow' } })).json['error']).toContain('attributes.latency');
    expect((await post({ type: 'slicer', attributes: { average_size: 0 } })).json['error']).toContain('average_size');
    expect((await call(h, 'POST', '/proxies/none/toxics', { type: 'latency' })).status).toBe(404);
  });
});

describe('admin API: metrics', () => {
  it('exposes byte counters and toxic gauges that pass promtool check metrics', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    const { proxy, port } = await h.proxy('echo', echo);
    await proxy.addToxic<Latency>({ name: 'lat', type: 'latency', stream: 'upstream', toxicity: 0, attributes: { latency: 10, jitter: 0 } });
    const client = await h.connect(port);
    client.socket.write('12345');
    await client.waitForBytes(5);

    const { status, text } = await call(h, 'GET', '/metrics');
    expect(status).toBe(200);
    const lint = promtoolCheckMetrics(text);
    expect(lint.output).toBe('');
    expect(lint.status).toBe(0);
    expect(text).toContain('toxiproxy_proxy_received_bytes_total{proxy="echo",direction="upstream"} 5');
    expect(text).toContain('toxiproxy_proxy_sent_bytes_total{proxy="echo",direction="downstream"} 5');
    expect(text).toContain('toxiproxy_proxy_active_toxics{proxy="echo",direction="upstream"} 1');
    expect(text).toContain('toxiproxy_proxy_active_toxics{proxy="echo",direction="downstream"} 0');
    expect(text).toContain('toxiproxy_proxy_active_connections{proxy="echo"} 1');
    expect(text).toContain('toxiproxy_proxy_enabled{proxy="echo"} 1');

    await proxy.remove();
    const after = (await call(h, 'GET', '/metrics')).text;
    expect(after).not.toContain('proxy="echo"');
  });

  it('creates the series of a new proxy at 0', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    await h.proxy('fresh', echo);
    const text = await h.registry.metrics();
    expect(text).toContain('toxiproxy_proxy_received_bytes_total{proxy="fresh",direction="downstream"} 0');
    expect(text).toContain('toxiproxy_proxy_sent_bytes_total{proxy="fresh",direction="upstream"} 0');
  });
});
