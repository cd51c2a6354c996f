import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { failoverFetch, isSafeToRepeatByDefault } from '../../src/core/failover-fetch.js';

/** What a live server was sent. */
interface Received {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly key: string | undefined;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function urlOf(server: Server | TcpServer): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function listen<S extends Server | TcpServer>(server: S): Promise<S> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return body;
}

/** A server that answers every request with `status` and `name`, and keeps what it was sent. */
async function liveServer(name: string, status = 200): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = await listen(
    createServer((request, response) => {
      void readBody(request).then((body) => {
        received.push({ method: request.method!, url: request.url!, body, key: request.headers['idempotency-key'] as string | undefined });
        response.writeHead(status, { 'content-type': 'text/plain' }).end(name);
      });
    }),
  );
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: urlOf(server), received };
}

/** A front door whose process was killed behind its proxy: connections are accepted, then closed at once. */
async function deadServer(): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server = await listen(
    createTcpServer((socket) => {
      connections++;
      socket.destroy();
    }),
  );
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: urlOf(server), connections: () => connections };
}

/** An address nothing listens on (connection refused). */
async function closedAddress(): Promise<string> {
  const server = await listen(createTcpServer());
  const url = urlOf(server);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

/** A server that accepts requests and never answers them. */
async function hangingServer(): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = await listen(
    createServer(() => {
      requests++;
    }),
  );
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: urlOf(server), requests: () => requests };
}

describe('failoverFetch', () => {
  it('sends to the first address while it answers, with the same path and query', async () => {
    const a = await liveServer('a');
    const b = await liveServer('b');
    const fetch = failoverFetch([a.url, b.url]);
    const response = await fetch(`${a.url}/api/home?row=2`);
    expect(await response.text()).toBe('a');
    expect(a.received.map((r) => r.url)).toEqual(['/api/home?row=2']);
    expect(b.received).toEqual([]);
  });

  it('sends a request for a dead address to the next one, and keeps sending there', async () => {
    const dead = await deadServer();
    const live = await liveServer('live');
    const fetch = failoverFetch([dead.url, live.url]);
    expect(await (await fetch(`${dead.url}/health?x=1`)).text()).toBe('live');
    expect(dead.connections()).toBeGreaterThan(0);
    const seen = dead.connections();
    for (let i = 0; i < 3; i++) expect(await (await fetch(`${dead.url}/health`)).text()).toBe('live');
    expect(dead.connections()).toBe(seen);
    expect(live.received.map((r) => r.url)).toEqual(['/health?x=1', '/health', '/health', '/health']);
  });

  it('fails over from a refused connection, and from the second address back to the first', async () => {
    const refused = await closedAddress();
    const live = await liveServer('live');
    const fetch = failoverFetch([live.url, refused]);
    // A request written for the second address goes to the preferred one, the first.
    expect(await (await fetch(`${refused}/x`)).text()).toBe('live');
    const again = failoverFetch([refused, live.url]);
    expect(await (await again(`${live.url}/y`)).text()).toBe('live');
    expect(live.received.map((r) => r.url)).toEqual(['/x', '/y']);
  });

  it('takes any HTTP status as an answer', async () => {
    const failing = await liveServer('busy', 503);
    const other = await liveServer('other');
    const fetch = failoverFetch([failing.url, other.url]);
    expect((await fetch(`${failing.url}/api/home`)).status).toBe(503);
    expect(other.received).toEqual([]);
  });

  it('does not send a POST again, but the next request goes to the live address', async () => {
    const dead = await deadServer();
    const live = await liveServer('live');
    const fetch = failoverFetch([dead.url, live.url]);
    await expect(fetch(`${dead.url}/api/subscriptions`, { method: 'POST', body: '{}' })).rejects.toThrow(TypeError);
    expect(live.received).toEqual([]);
    await fetch(`${dead.url}/api/subscriptions`, { method: 'POST', body: '{"plan":"basic"}' });
    expect(live.received).toEqual([{ method: 'POST', url: '/api/subscriptions', body: '{"plan":"basic"}', key: undefined }]);
  });

  it('sends a POST with an idempotency key again, body and key intact', async () => {
    const dead = await deadServer();
    const live = await liveServer('live');
    const fetch = failoverFetch([dead.url, live.url]);
    const response = await fetch(`${dead.url}/api/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': 'k1' },
      body: '{"plan":"premium"}',
    });
    expect(response.status).toBe(200);
    expect(live.received).toEqual([{ method: 'POST', url: '/api/subscriptions', body: '{"plan":"premium"}', key: 'k1' }]);
  });

  it('sends a POST again when isSafeToRepeat says so, with a URLSearchParams body', async () => {
    const dead = await deadServer();
    const live = await liveServer('live');
    const asked: string[] = [];
    const fetch = failoverFetch([dead.url, live.url], {
      isSafeToRepeat: (url, init) => {
        asked.push(`${init.method} ${url}`);
        return new URL(url).pathname === '/api/login';
      },
    });
    await fetch(`${dead.url}/api/login`, { method: 'post', body: new URLSearchParams({ username: 'v' }) });
    expect(asked).toEqual([`POST ${dead.url}/api/login`]);
    expect(live.received).toEqual([{ method: 'POST', url: '/api/login', body: 'username=v', key: undefined }]);
  });

  it('fails over a Request object with a body', async () => {
    const dead = await deadServer();
    const live = await liveServer('live');
    const fetch = failoverFetch([dead.url, live.url]);
    await fetch(new Request(`${dead.url}/api/things/1`, { method: 'PUT', body: 'new' }));
    expect(live.received).toEqual([{ method: 'PUT', url: '/api/things/1', body: 'new', key: undefined }]);
  });

  it("does not fail over when the caller's own signal aborts the request", async () => {
    const hanging = await hangingServer();
    const live = await liveServer('live');
    const fetch = failoverFetch([hanging.url, live.url]);
    const abort = new AbortController();
    const pending = fetch(`${hanging.url}/slow`, { signal: abort.signal });
    while (hanging.requests() === 0) await new Promise((resolve) => setImmediate(resolve));
    abort.abort();
    await expect(pending).rejects.toThrow();
    expect(live.received).toEqual([]);
    // Nor does the abort move the preference: the next request still goes to the first address.
    const later = new AbortController();
    const next = fetch(`${live.url}/next`, { signal: later.signal }).catch(() => 'aborted');
    while (hanging.requests() === 1 && live.received.length === 0) await new Promise((resolve) => setImmediate(resolve));
    later.abort();
    expect(await next).toBe('aborted');
    expect(hanging.requests()).toBe(2);
    expect(live.received).toEqual([]);
  });

  it('passes requests to other origins through untouched, even when they fail', async () => {
    const a = await liveServer('a');
    const other = await liveServer('other');
    const dead = await deadServer();
    const fetch = failoverFetch([a.url]);
    expect(await (await fetch(`${other.url}/titles/1`)).text()).toBe('other');
    await expect(failoverFetch([dead.url, a.url])(`${await closedAddress()}/x`)).rejects.toThrow(TypeError);
    expect(a.received).toEqual([]);
  });

  it("rethrows the last address's error when none answers", async () => {
    const one = await deadServer();
    const two = await deadServer();
    const fetch = failoverFetch([one.url, two.url]);
    await expect(fetch(`${one.url}/health`)).rejects.toThrow(TypeError);
    expect(one.connections()).toBeGreaterThan(0);
    expect(two.connections()).toBeGreaterThan(0);
  });

  it("sends one attempt only when the caller's signal aborts it, whatever the number of addresses", async () => {
    const sent: string[] = [];
    const fetch = failoverFetch(['http://a.test', 'http://b.test', 'http://c.test'], {
      fetch: ((input: string | URL | Request, init?: RequestInit) => {
        sent.push(String(input));
        return new Promise<Response>((_, reject) => {
          const fail = () => reject(new DOMException('aborted', 'AbortError'));
          if (init?.signal?.aborted) fail();
          else init?.signal?.addEventListener('abort', fail);
        });
      }) as typeof globalThis.fetch,
    });
    const abort = new AbortController();
    const pending = fetch('http://b.test/slow', { signal: abort.signal });
    abort.abort();
    await expect(pending).rejects.toThrow('aborted');
    expect(sent).toEqual(['http://a.test/slow']);
  });

  it('moves the preference once when requests in flight fail on the same address, not past a live one', async () => {
    const sent: string[] = [];
    const fetch = failoverFetch(['http://a.test', 'http://b.test', 'http://c.test'], {
      fetch: (async (input: string | URL | Request) => {
        sent.push(String(input));
        if (String(input).startsWith('http://a.test')) throw new TypeError('fetch failed');
        return new Response('ok');
      }) as typeof globalThis.fetch,
    });
    await Promise.all([fetch('http://a.test/1'), fetch('http://a.test/2')]);
    await fetch('http://a.test/3');
    expect(sent.filter((url) => url.endsWith('/3'))).toEqual(['http://b.test/3']);
    expect(sent.some((url) => url.startsWith('http://c.test'))).toBe(false);
  });

  it('uses the fetch it is given for every attempt', async () => {
    const sent: string[] = [];
    const fetch = failoverFetch(['http://a.test', 'http://b.test/ignored-path'], {
      fetch: (async (input: string | URL | Request) => {
        sent.push(String(input));
        if (String(input).startsWith('http://a.test')) throw new TypeError('fetch failed');
        return new Response('ok');
      }) as typeof globalThis.fetch,
    });
    await fetch('http://a.test/p?q=1#h');
    await fetch('http://b.test/again');
    expect(sent).toEqual(['http://a.test/p?q=1#h', 'http://b.test/p?q=1#h', 'http://b.test/again']);
  });
});

describe('isSafeToRepeatByDefault', () => {
  it('repeats idempotent methods and keyed writes only', () => {
    for (const method of ['GET', 'head', 'OPTIONS', 'PUT', 'DELETE']) expect(isSafeToRepeatByDefault(method, new Headers())).toBe(true);
    expect(isSafeToRepeatByDefault('POST', new Headers())).toBe(false);
    expect(isSafeToRepeatByDefault('PATCH', new Headers())).toBe(false);
    expect(isSafeToRepeatByDefault('POST', new Headers({ 'Idempotency-Key': 'k' }))).toBe(true);
  });
});
