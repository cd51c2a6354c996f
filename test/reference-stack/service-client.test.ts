import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { BulkheadRejectedError, CircuitOpenError } from '../../src/resilience/index.js';
import { NoInstancesError, ServiceClient, UpstreamError } from '../../src/reference-stack/service-kit/service-client.js';
import { appFetch } from '../support/app-fetch.js';

type Instance = { instanceId: string; address: string; zone: string };

/** An instance that answers with its id, or fails as told. */
function instanceApp(id: string, behaviour: { status?: number } = {}) {
  const app = new Hono();
  let calls = 0;
  app.all('*', (c) => {
    calls++;
    return behaviour.status ? c.text('broken', behaviour.status as 500) : c.json({ id });
  });
  return { app, calls: () => calls };
}

describe('service client', () => {
  const clients: ServiceClient[] = [];
  afterEach(() => clients.splice(0).forEach((c) => c.dispose()));

  const setup = (instances: Instance[], apps: Record<string, Hono>, down = new Set<string>()) => {
    const clock = new ManualClock();
    const client = new ServiceClient({
      target: 'catalog',
      zone: 'z1',
      clock,
      discovery: { lookup: () => instances },
      fetch: appFetch(apps, down),
    });
    clients.push(client);
    const id = async (init = {}) => ((await client.json<{ id: string }>('/titles', init)).id);
    return { clock, client, id };
  };

  it('round-robins over the caller\'s zone and leaves other zones alone while it has instances', async () => {
    const a = instanceApp('a');
    const b = instanceApp('b');
    const c = instanceApp('c');
    const { id } = setup(
      [
        { instanceId: 'a', address: 'http://a', zone: 'z1' },
        { instanceId: 'b', address: 'http://b', zone: 'z1' },
        { instanceId: 'c', address: 'http://c', zone: 'z2' },
      ],
      { 'http://a': a.app, 'http://b': b.app, 'http://c': c.app },
    );
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push(await id());
    expect(seen.filter((x) => x === 'a')).toHaveLength(3);
    expect(seen.filter((x) => x === 'b')).toHaveLength(3);
    expect(c.calls()).toBe(0);
  });

  it('retries a dead instance\'s call on another instance, then keeps away from the dead one', async () => {
    const b = instanceApp('b');
    const down = new Set(['http://a']);
    const { id } = setup(
      [
        { instanceId: 'a', address: 'http://a', zone: 'z1' },
        { instanceId: 'b', address: 'http://b', zone: 'z1' },
      ],
      { 'http://a': instanceApp('a').app, 'http://b': b.app },
      down,
    );
    const answers = await Promise.all(Array.from({ length: 10 }, () => id()));
    expect(answers.every((x) => x === 'b')).toBe(true);
    expect(b.calls()).toBe(10);
  });

  it('spills over to another zone when its own zone is down', async () => {
    const { id } = setup(
      [
        { instanceId: 'a', address: 'http://a', zone: 'z1' },
        { instanceId: 'c', address: 'http://c', zone: 'z2' },
      ],
      { 'http://a': instanceApp('a').app, 'http://c': instanceApp('c').app },
      new Set(['http://a']),
    );
    expect(await id()).toBe('c');
    expect(await id()).toBe('c');
  });

  it('treats a 5xx as a failure worth another instance, and a 4xx as an answer', async () => {
    const { client } = setup(
      [
        { instanceId: 'a', address: 'http://a', zone: 'z1' },
        { instanceId: 'b', address: 'http://b', zone: 'z1' },
      ],
      { 'http://a': instanceApp('a', { status: 503 }).app, 'http://b': instanceApp('b', { status: 404 }).app },
    );
    expect((await client.request('/titles')).status).toBe(404);
  });

  it('does not retry a write without an idempotency key, and does with one', async () => {
    const a = instanceApp('a', { status: 500 });
    const b = instanceApp('b');
    const { client } = setup(
      [
        { instanceId: 'a', address: 'http://a', zone: 'z1' },
        { instanceId: 'b', address: 'http://b', zone: 'z2' },
      ],
      { 'http://a': a.app, 'http://b': b.app },
    );
    // The caller's zone holds only the broken instance, so every first attempt goes there.
    const plain = await client.request('/subscriptions', { method: 'POST', body: '{}' }).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(UpstreamError);
    expect(b.calls()).toBe(0);
    const keyed = await client.request('/subscriptions', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'k1' } });
    expect(keyed.status).toBe(200);
    expect(b.calls()).toBe(1);
    const login = await client.request('/login', { method: 'POST', body: '{}', idempotent: true });
    expect(login.status).toBe(200);
    expect(b.calls()).toBe(2);
  });

  it('fails fast once every instance keeps failing', async () => {
    const { client } = setup([{ instanceId: 'a', address: 'http://a', zone: 'z1' }], { 'http://a': instanceApp('a', { status: 500 }).app });
    const errors = [];
    for (let i = 0; i < 40; i++) errors.push(await client.request('/titles').catch((e: unknown) => e));
    expect(errors[0]).toBeInstanceOf(UpstreamError);
    expect(errors.at(-1)).toBeInstanceOf(CircuitOpenError);
  });

  it('sheds load beyond its bulkhead instead of piling requests on a slow target', async () => {
    const slow = new Hono();
    slow.all('*', () => new Promise<Response>(() => undefined));
    const clock = new ManualClock();
    const client = new ServiceClient({
      target: 'catalog',
      zone: 'z1',
      clock,
      maxConcurrent: 2,
      discovery: { lookup: () => [{ instanceId: 'a', address: 'http://a', zone: 'z1' }] },
      fetch: appFetch({ 'http://a': slow }),
    });
    clients.push(client);
    const calls = Array.from({ length: 6 }, () => client.request('/titles').catch((e: unknown) => e));
    await clock.advance(1);
    const shed = await Promise.race([calls[5], new Promise((r) => setImmediate(() => r('pending')))]);
    expect(shed).toBeInstanceOf(BulkheadRejectedError);
    // The others time out attempt after attempt; let them all finish so nothing is left running.
    await clock.advance(30_000);
    const results = await Promise.all(calls);
    expect(results.filter((r) => r instanceof BulkheadRejectedError)).toHaveLength(2);
  });

  it('reads the registry again when its cached copy has nobody, so a target that registered since is found', async () => {
    const a = instanceApp('a');
    const registered: Instance[] = [];
    let refreshes = 0;
    const client = new ServiceClient({
      target: 'catalog',
      zone: 'z1',
      clock: new ManualClock(),
      discovery: {
        lookup: () => registered,
        refresh: async () => {
          refreshes++;
          registered.splice(0, registered.length, { instanceId: 'a', address: 'http://a', zone: 'z1' });
        },
      },
      fetch: appFetch({ 'http://a': a.app }),
    });
    clients.push(client);
    expect((await client.json<{ id: string }>('/titles')).id).toBe('a');
    expect((await client.json<{ id: string }>('/titles')).id).toBe('a');
    // Only the miss paid for a read; a lookup that finds someone stays on the cache.
    expect(refreshes).toBe(1);
  });

  it('says so when no instance is registered', async () => {
    const { client } = setup([], {});
    await expect(client.request('/titles')).rejects.toBeInstanceOf(NoInstancesError);
  });
});
