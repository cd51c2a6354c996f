/**
 * An HTTP relay on loopback in front of a real server, that lets a test hold or fail chosen requests: the way to
 * make a real peer (the embedded Toxiproxy's admin API) stall or fail at one exact step of a multi-step action.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to do with one request: relay it, hold it unanswered until `release()`, or answer with this status. */
export type RelayVerdict = 'pass' | 'hold' | number;

/** A running relay; `close()` it (it releases what it holds). */
export interface HttpRelay {
  readonly url: string;
  /** Requests held so far and not yet released. */
  readonly held: readonly IncomingMessage[];
  /** Answers every held request with 503. */
  release(): void;
  close(): Promise<void>;
}

/** Starts a relay to `target` (`http://127.0.0.1:PORT`); `decide` sees each request and its body. */
export async function startHttpRelay(target: string, decide: (req: IncomingMessage, body: string) => RelayVerdict): Promise<HttpRelay> {
  const held: Array<{ req: IncomingMessage; res: ServerResponse }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const verdict = decide(req, body.toString('utf8'));
      if (verdict === 'hold') {
        held.push({ req, res });
        return;
      }
      if (typeof verdict === 'number') {
        res.writeHead(verdict, { 'content-type': 'text/plain' }).end(`failed by the test (${verdict})`);
        return;
      }
      const upstream = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const release = () => {
    for (const { res } of held.splice(0)) res.writeHead(503, { 'content-type': 'text/plain' }).end('released by the test');
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get held() {
      return held.map((h) => h.req);
    },
    release,
    close: () =>
      new Promise<void>((resolve) => {
        release();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
