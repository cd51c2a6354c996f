import { afterEach, describe, expect, it } from 'vitest';
import type { Bandwidth, Latency, Slicer, Slowclose, Timeout } from 'toxiproxy-node-client';
import { SeededRandom, randomInt } from '../../src/core/index.js';
import { sliceOffsets } from '../../src/toxiproxy/toxics/slicer.js';
import { Harness, turn } from './harness.js';

const harnesses: Harness[] = [];
async function start(options: Parameters<typeof Harness.start>[0] = {}): Promise<Harness> {
  const harness = await Harness.start(options);
  harnesses.push(harness);
  return harness;
}

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

describe('latency', () => {
  it('holds server → client data until the clock reaches the latency', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    const { proxy, port } = await h.proxy('echo', echo);
    await proxy.addToxic<Latency>({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 0 } });
    const client = await h.connect(port);

    client.socket.write('hello');
    await h.log.received('downstream', 5); // the echo is back at the proxy, held by the toxic
    await turn();
    expect(client.received.length).toBe(0);
    await h.clock.advance(99);
    expect(h.log.bytes('bytes.sent', 'downstream')).toBe(0);
    expect(client.received.length).toBe(0);
    await h.clock.advance(1);
    expect(h.log.bytes('bytes.sent', 'downstream')).toBe(5);
    await client.waitForBytes(5);
    expect(client.text()).toBe('hello');
  });

  it('delays client → server data on the upstream stream', async () => {
    const h = await start();
    const sink = await h.upstream({ echo: false });
    const { proxy, port } = await h.proxy('sink', sink);
    await proxy.addToxic<Latency>({ name: 'slow', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 250, jitter: 0 } });
    const client = await h.connect(port);
    const server = await sink.peer(0);

    client.socket.write('request');
    await h.log.received('upstream', 7);
    await h.clock.advance(249);
    await turn();
    expect(server.received.length).toBe(0);
    await h.clock.advance(1);
    await server.waitForBytes(7);
    expect(server.text()).toBe('request');
  });

  it('adds a jitter drawn from the injected random, in [-jitter, jitter)', async () => {
    const h = await start({ random: new SeededRandom(42) });
    const expected = 100 + randomInt(new SeededRandom(42), 2 * 40) - 40; // toxicity 1 draws nothing first
    const echo = await h.upstream({ echo: true });
    const { proxy, port } = await h.proxy('echo', echo);
    await proxy.addToxic<Latency>({ name: 'jittery', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 40 } });
    const client = await h.connect(port);

    client.socket.write('x');
    await h.log.received('downstream', 1);
    await h.clock.advance(expected - 1);
    expect(h.log.bytes('bytes.sent', 'downstream')).toBe(0);
    await h.clock.advance(1);
    expect(h.log.bytes('bytes.sent', 'downstream')).toBe(1);
    await client.waitForBytes(1);
  });
});

describe('bandwidth', () => {
  it('meters bytes per clock second (rate is KB/s, 1 KB = 1000 bytes)', async () => {
    const h = await start();
    const sink = await h.upstream({ echo: false });
    const { proxy, port } = await h.proxy('sink', sink);
    await proxy.addToxic<Bandwidth>({ name: 'thin', type: 'bandwidth', stream: 'downstream', toxicity: 1, attributes: { rate: 1 } });
    const client = await h.connect(port);
    const server = await sink.peer(0);

    server.socket.write(Buffer.alloc(2500, 'a'));
    await h.log.received('downstream', 2500);
    expect(h.log.bytes('bytes.sent', 'downstream')).toBe(0);
    await h.clock.advance(100); // a 100 ms piece of 100 bytes
    expect(h.log.bytes('bytes.sent', 'downstream')).toBe(100);
    await h.clock.advance(900);
    expect(h.log.bytes('bytes.sent', 'downstream')).toBe(1000);
    await client.waitForBytes(1000);
    await turn();
    expect(client.received.length).toBe(1000);
    await h.clock.advance(1000);
    expect(h.log.bytes('bytes.sent', 'downstream')).toBe(2000);
    await h.clock.advance(500);
    await client.waitForBytes(2500);
    expect(client.received.length).toBe(2500);
  });
});

describe('slow_close', () => {
  it('passes data at once but holds the close for the delay', async () => {
    const h = await start();
    const sink = await h.upstream({ echo: false });
    const { proxy, port } = await h.proxy('sink', sink);
    await proxy.addToxic<Slowclose>({ name: 'lingering', type: 'slow_close', stream: 'downstream', toxicity: 1, attributes: { delay: 500 } });
    const client = await h.connect(port);
    const server = await sink.peer(0);

    server.socket.end('bye');
    await client.waitForBytes(3);
    await h.log.ended('downstream');
    await h.clock.advance(499);
    await turn();
    expect(client.gotEnd).toBe(false);
    await h.clock.advance(1);
    await client.until(() => client.gotEnd, 'the FIN');
    expect(client.text()).toBe('bye');
  });
});

describe('timeout', () => {
  it('drops the data and closes the connection after the timeout', async () => {
    const h = await start();
    const sink = await h.upstream({ echo: false });
    const { proxy, port } = await h.proxy('sink', sink);
    await proxy.addToxic<Timeout>({ name: 'blackhole', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 1000 } });
    const client = await h.connect(port);
    const server = await sink.peer(0);

    client.socket.write('lost');
    await h.log.received('upstream', 4);
    await h.clock.advance(999);
    await turn();
    expect(client.closed || client.gotEnd).toBe(false);
    await h.clock.advance(1);
    await client.until(() => client.gotEnd, 'the close');
    await server.until(() => server.gotEnd, 'the close at the server');
    expect(server.received.length).toBe(0);
    expect(h.log.bytes('bytes.sent', 'upstream')).toBe(0);
  });

  it('with timeout 0 never closes, and closes when removed (the stream has lost data)', async () => {
    const h = await start();
    const sink = await h.upstream({ echo: false });
    const { proxy, port } = await h.proxy('sink', sink);
    const toxic = await proxy.addToxic<Timeout>({ name: 'blackhole', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } });
    const client = await h.connect(port);
    const server = await sink.peer(0);

    client.socket.write('lost');
    await h.log.received('upstream', 4);
    await h.clock.advance(3_600_000);
    await turn();
    expect(client.gotEnd || client.closed).toBe(false);
    expect(h.clock.pendingTimers).toBe(0);
    await toxic.remove();
    await client.until(() => client.gotEnd, 'the close after removal');
    expect(server.received.length).toBe(0);
  });
});

describe('reset_peer', () => {
  it('resets the connection (ECONNRESET) when data arrives', async () => {
    const h = await start();
    const sink = await h.upstream({ echo: false });
    const { proxy, port } = await h.proxy('sink', sink);
    await proxy.addToxic<{ timeout: number }>({ name: 'rst', type: 'reset_peer', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } });
    const client = await h.connect(port);
    const server = await sink.peer(0);

    client.socket.write('hello');
    await client.waitForClose();
    expect(client.error?.code).toBe('ECONNRESET');
    await server.waitForClose();
    expect(server.error?.code).toBe('ECONNRESET');
    expect(server.received.length).toBe(0);
  });

  it('waits for its timeout on the clock before resetting', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    const { proxy, port } = await h.proxy('echo', echo);
    await proxy.addToxic<{ timeout: number }>({ name: 'rst', type: 'reset_peer', stream: 'downstream', toxicity: 1, attributes: { timeout: 200 } });
    const client = await h.connect(port);

    client.socket.write('ping');
    await h.log.received('downstream', 4);
    await h.clock.advance(199);
    await turn();
    expect(client.closed).toBe(false);
    await h.clock.advance(1);
    await client.waitForClose();
    expect(client.error?.code).toBe('ECONNRESET');
    expect(client.received.length).toBe(0);
  });
});

describe('slicer', () => {
  it('sends pieces of average_size bytes, delay microseconds apart', async () => {
    const h = await start();
    const sink = await h.upstream({ echo: false });
    const { proxy, port } = await h.proxy('sink', sink);
    await proxy.addToxic<Slicer>({
      name: 'sliced',
      type: 'slicer',
      stream: 'upstream',
      toxicity: 1,
      attributes: { average_size: 10, size_variation: 0, delay: 1000 },
    });
    const client = await h.connect(port);
    const server = await sink.peer(0);

    client.socket.write('0123456789abcdefghijABCDEFGHIJ!@#$%^&*()');
    await h.log.received('upstream', 40);
    await server.waitForBytes(10);
    for (const expected of [20, 30, 40]) {
      await turn();
      expect(h.log.bytes('bytes.sent', 'upstream')).toBe(expected - 10);
      await h.clock.advance(1); // 1000 µs
      await server.waitForBytes(expected);
    }
    expect(server.text()).toBe('0123456789abcdefghijABCDEFGHIJ!@#$%^&*()');
    const sizes = h.log.events.flatMap((e) => (e.type === 'bytes.sent' && e.direction === 'upstream' ? [e.bytes] : []));
    expect(sizes).toEqual([10, 10, 10, 10]);
  });

  it('varies piece sizes within average ± variation, from the injected random', () => {
    const random = new SeededRandom(3);
    for (const length of [1, 7, 64, 1000, 4096]) {
      const cuts = sliceOffsets(length, { average_size: 20, size_variation: 5, delay: 0 }, random);
      expect(cuts[0]).toBe(0);
      expect(cuts.at(-1)).toBe(length);
      for (let i = 1; i < cuts.length; i++) {
        const size = cuts[i]! - cuts[i - 1]!;
        expect(size).toBeGreaterThan(0);
        expect(size).toBeLessThanOrEqual(25);
      }
    }
    const again = (seed: number) => sliceOffsets(1000, { average_size: 20, size_variation: 5, delay: 0 }, new SeededRandom(seed));
    expect(again(9)).toEqual(again(9));
  });
});

describe('limit_data', () => {
  it('closes the connection after the given number of bytes', async () => {
    const h = await start();
    const sink = await h.upstream({ echo: false });
    const { proxy, port } = await h.proxy('sink', sink);
    await proxy.addToxic<{ bytes: number }>({ name: 'cap', type: 'limit_data', stream: 'downstream', toxicity: 1, attributes: { bytes: 5 } });
    const client = await h.connect(port);
    const server = await sink.peer(0);

    server.socket.write('hello world');
    await client.waitForClose();
    expect(client.text()).toBe('hello');
    expect(client.error).toBeUndefined();
    await server.waitForClose();
  });
});

describe('noop', () => {
  it('passes everything through unchanged', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    const { proxy, port } = await h.proxy('echo', echo);
    await proxy.addToxic<Record<string, never>>({ name: 'nothing', type: 'noop' as never, stream: 'upstream', toxicity: 1, attributes: {} });
    const client = await h.connect(port);
    client.socket.write('unchanged');
    await client.waitForBytes(9);
    expect(client.text()).toBe('unchanged');
  });
});

describe('toxicity', () => {
  it('0 leaves every connection untouched and 1 applies to every one', async () => {
    const h = await start();
    const echo = await h.upstream({ echo: true });
    const { proxy, port } = await h.proxy('echo', echo);
    const toxic = await proxy.addToxic<Latency>({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 0, attributes: { latency: 1000, jitter: 0 } });
    for (let i = 0; i < 3; i++) {
      const client = await h.connect(port);
      client.socket.write('fast');
      await client.waitForBytes(4); // no clock movement needed
    }
    await toxic.update({ ...toxic.toJson(), toxicity: 1 });
    for (let i = 0; i < 3; i++) {
      const client = await h.connect(port);
      client.socket.write('slow');
      await h.log.received('downstream', 12 + 4 * (i + 1));
      await turn();
      expect(client.received.length).toBe(0);
      await h.clock.advance(1000);
      await client.waitForBytes(4);
    }
  });

  it('draws per connection from the injected random', async () => {
    const seed = 1234;
    const h = await start({ random: new SeededRandom(seed) });
    const twin = new SeededRandom(seed);
    const echo = await h.upstream({ echo: true });
    const { proxy, port } = await h.proxy('echo', echo);
    await proxy.addToxic<Latency>({ name: 'sometimes', type: 'latency', stream: 'downstream', toxicity: 0.5, attributes: { latency: 1000, jitter: 0 } });
    const outcomes: boolean[] = [];
    for (let i = 0; i < 8; i++) {
      const applies = twin.next() < 0.5;
      outcomes.push(applies);
      const client = await h.connect(port);
      client.socket.write('abc');
      await h.log.received('downstream', 3 * (i + 1));
      await turn();
      if (applies) {
        expect(client.received.length).toBe(0);
        await h.clock.advance(1000);
      }
      await client.waitForBytes(3);
    }
    expect(outcomes).toContain(true);
    expect(outcomes).toContain(false);
  });
});
