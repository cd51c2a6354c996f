import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Latency, Timeout } from 'toxiproxy-node-client';
import { Harness, turn } from './harness.js';

const harnesses: Harness[] = [];
async function start(): Promise<Harness> {
  const harness = await Harness.start();
  harnesses.push(harness);
  return harness;
}

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

/** Resolves with the error code of a connection attempt (undefined when it connected). */
function tryConnect(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
  });
}

describe('proxy lifecycle', () => {
  it('forwards both ways and passes a half-close on', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    const { port } = await h.proxy('echo', echo);
    const client = await h.connect(port);
    client.socket.end('ping');
    await client.until(() => client.gotEnd, 'the echo FIN');
    expect(client.text()).toBe('ping');
    await h.log.until(() => h.log.count((e) => e.type === 'connection.closed') === 1);
  });

  it('down: a disabled proxy closes its connections and refuses new ones; enabling restores it on the same port', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    const { proxy, port } = await h.proxy('echo', echo);
    const open = await h.connect(port);

    const down = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(down.enabled).toBe(false);
    await open.waitForClose();
    expect(await tryConnect(port)).toBe('ECONNREFUSED');

    const up = await down.update({ enabled: true, listen: down.listen, upstream: down.upstream });
    expect(up.enabled).toBe(true);
    expect(up.listen).toBe(`127.0.0.1:${port}`);
    const client = await h.connect(port);
    client.socket.write('back');
    await client.waitForBytes(4);
    expect(client.text()).toBe('back');
  });

  it('a latency added to an open connection slows its next bytes, and removing it lets held data go at once', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    const { proxy, port } = await h.proxy('echo', echo);
    const client = await h.connect(port);
    client.socket.write('one');
    await client.waitForBytes(3);

    const toxic = await proxy.addToxic<Latency>({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 5000, jitter: 0 } });
    client.socket.write('two');
    await h.log.received('downstream', 6);
    await h.clock.advance(4999);
    await turn();
    expect(client.text()).toBe('one');

    await toxic.remove();
    await client.waitForBytes(6);
    expect(client.text()).toBe('onetwo');
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('an update reaches held data: the new latency counts from when the data was read', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    const { proxy, port } = await h.proxy('echo', echo);
    const toxic = await proxy.addToxic<Latency>({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 10_000, jitter: 0 } });
    const client = await h.connect(port);
    client.socket.write('held');
    await h.log.received('downstream', 4);
    await h.clock.advance(50);

    await toxic.update({ ...toxic.toJson(), attributes: { latency: 80, jitter: 0 } });
    await h.clock.advance(29);
    expect(h.log.bytes('bytes.sent', 'downstream')).toBe(0);
    await h.clock.advance(1);
    await client.waitForBytes(4);
  });

  it('a timeout added to an open connection drops its data and closes it on time', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    const { proxy, port } = await h.proxy('echo', echo);
    const client = await h.connect(port);
    client.socket.write('before');
    await client.waitForBytes(6);

    await proxy.addToxic<Timeout>({ name: 'cut', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 300 } });
    client.socket.write('after');
    await h.log.received('upstream', 11);
    await h.clock.advance(299);
    await turn();
    expect(client.gotEnd).toBe(false);
    await h.clock.advance(1);
    await client.until(() => client.gotEnd, 'the close');
    expect(client.text()).toBe('before');
  });

  it('closes the client when the upstream refuses', async () => {
    const h = await start();
    const gone = await h.upstream({ echo: false });
    const { port } = await h.proxy('gone', gone);
    await gone.close();
    const client = await h.connect(port);
    await client.waitForClose();
    expect(client.received.length).toBe(0);
  });

  it('pauses reading while too much data is in flight, and loses nothing', async () => {
    const h = await start();
    const sink = await h.upstream({ echo: false });
    const { proxy, port } = await h.proxy('sink', sink);
    await proxy.addToxic<Latency>({ name: 'slow', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 10, jitter: 0 } });
    const client = await h.connect(port);
    const server = await sink.peer(0);
    const size = 4 * 1024 * 1024;
    client.socket.end(Buffer.alloc(size, 7));
    // The proxy stops at about 1 MiB held until the clock lets the data go; each step releases what is held.
    for (let step = 0; step < 10_000 && server.received.length < size; step++) {
      const before = h.log.bytes('bytes.received', 'upstream');
      await h.clock.advance(10);
      await h.log.until(() => h.log.bytes('bytes.received', 'upstream') > before || h.log.bytes('bytes.received', 'upstream') >= size);
      expect(h.log.bytes('bytes.received', 'upstream') - h.log.bytes('bytes.sent', 'upstream')).toBeLessThanOrEqual(2 * 1024 * 1024);
    }
    await h.clock.advance(10);
    await server.waitForBytes(size);
    expect(server.received.every((b) => b === 7)).toBe(true);
  });

  it('close() stops every proxy, socket and timer', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    const { proxy, port } = await h.proxy('echo', echo);
    await proxy.addToxic<Latency>({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 1000, jitter: 0 } });
    const client = await h.connect(port);
    client.socket.write('held');
    await h.log.received('downstream', 4);
    expect(h.clock.pendingTimers).toBe(1);

    await h.server.close();
    await client.waitForClose();
    expect(h.clock.pendingTimers).toBe(0);
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
    expect(await tryConnect(h.server.port)).toBe('ECONNREFUSED');
    await h.server.close(); // twice is harmless
  });
});
