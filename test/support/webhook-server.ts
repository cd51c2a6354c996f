/**
 * A loopback webhook for notifier tests: records every POST (its body parsed as JSON, as a Slack-compatible
 * receiver would) and answers as each test scripts it, a hung answer included.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { DaemonEvent } from '../../src/daemon/daemon.js';
import { loopbackServers } from './loopback-servers.js';

/** One POST the webhook received. */
export interface WebhookRequest {
  readonly method: string;
  readonly contentType: string | undefined;
  readonly raw: string;
  readonly body: unknown;
}

/** How the webhook answers one request: a status and headers, or never (`'hang'`). */
export type WebhookAnswer = { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string } | 'hang';

/** Starts and tracks webhooks; call `closeAll` in afterEach. */
export function webhookServers() {
  const servers = loopbackServers();
  return {
    /** A webhook on 127.0.0.1 that answers the n-th request with `answer(n)` (200 `ok` by default). */
    async start(answer: (n: number) => WebhookAnswer = () => ({ status: 200, body: 'ok' })) {
      const requests: WebhookRequest[] = [];
      const server = createServer((request: IncomingMessage, response: ServerResponse) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(raw);
          } catch {
            body = undefined;
          }
          requests.push({ method: request.method ?? '', contentType: request.headers['content-type'], raw, body });
          const reply = answer(requests.length);
          if (reply === 'hang') return;
          response.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
          response.end(reply.body ?? '');
        });
      });
      const base = await servers.listen(server);
      return { url: `${base}/services/T000/B000/hook`, requests };
    },
    closeAll: () => servers.closeAll(),
  };
}

/** An executed fault on `group`: the event every notifier test sends. */
export function faultEvent(group = 'api', at = Date.UTC(2026, 0, 1)): DaemonEvent {
  return {
    kind: 'decision',
    at,
    monkey: 'chaos',
    provider: 'local',
    scope: group,
    decision: { outcome: 'executed', fault: { id: `fault-${group}`, kind: 'terminate', targets: [`${group}-1`], startedAt: at, parameters: {} } },
  };
}
