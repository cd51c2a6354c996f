import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bufferedAnswer, createHttpFetch } from '../../src/reference-stack/service-kit/http-fetch.js';

describe('the stack services\' fetch over node:http', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
  });
  const serve = async (handler: Parameters<typeof createServer>[1]): Promise<string> => {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  it('sends the method, headers and body, and answers with the status, headers and the whole body', async () => {
    const base = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res.setHeader('content-type', 'application/json');
        res.statusCode = 201;
        res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers.authorization, body }));
      });
    });
    const fetch = createHttpFetch();
    const answer = await fetch(new URL('/subscriptions?x=1', base), { method: 'POST', headers: new Headers({ authorization: 'Bearer t' }), body: '{"plan":"basic"}' });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(await answer.json()).toEqual({ method: 'POST', url: '/subscriptions?x=1', auth: 'Bearer t', body: '{"plan":"basic"}' });
    const empty = await serve((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    const none = await fetch(`${empty}/`);
    expect(none.status).toBe(204);
    expect(none.body).toBeNull();
  });

  it('hands a hop the whole answer it read, and reads any other response in full', async () => {
    const base = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.statusCode = 404;
      res.end('{"error":"no such title"}');
    });
    const answer = await bufferedAnswer(await createHttpFetch()(`${base}/titles/t999`));
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(Buffer.from(answer.body!).toString()).toBe('{"error":"no such title"}');
    const other = await bufferedAnswer(new Response('plain', { status: 200, headers: { 'Content-Type': 'text/plain' } }));
    expect(other).toEqual({ status: 200, headers: { 'content-type': 'text/plain' }, body: new Uint8Array(Buffer.from('plain')) });
    expect((await bufferedAnswer(new Response(null, { status: 204 }))).body).toBeNull();
  });

  it("rejects with the signal's reason when aborted, and with a TypeError when nothing answers", async () => {
    const base = await serve(() => {
      // Never answers.
    });
    const fetch = createHttpFetch();
    const controller = new AbortController();
    const pending = fetch(`${base}/slow`, { signal: controller.signal });
    controller.abort(new Error('attempt timed out'));
    await expect(pending).rejects.toThrow('attempt timed out');
    const closed = await serve((req) => req.socket.destroy());
    await expect(fetch(`${closed}/`)).rejects.toThrow(TypeError);
  });
});
