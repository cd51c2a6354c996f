/**
 * @module
 * The one client of a running stack's admin API (`stack-admin-api.ts`): the local provider, `simian stack status`,
 * the stack's direct scrapes (experiments, `slo check`, the outage check) and the tests read and act through it,
 * so the wire format is parsed in one place.
 */
import { z } from 'zod';
import { systemClock, type Clock } from '../../core/clock.js';
import { errorMessage, SimianError } from '../../core/errors.js';
import type { TERMINATE_SIGNALS } from './stack-admin-api.js';

/** One instance as `GET /inventory` lists it. */
export interface AdminInstance {
  readonly id: string;
  readonly service: string;
  readonly region: string;
  readonly zone: string;
  readonly pid?: number | null;
  /** The instance's own address (`host:port`, or a URL), where its process listens. */
  readonly address?: string | null;
  /** The proxied address (what discovery holds). */
  readonly publicAddress?: string;
  readonly launchedAt: number;
  readonly tags?: Readonly<Record<string, string>>;
  /** The supervisor's state: starting, running, stopping, stopped, crashed. */
  readonly state: string;
  readonly restarts?: number;
}

// Lenient where the stack may grow fields; strict where callers rely on a field.
const instanceSchema = z.looseObject({
  id: z.string(),
  service: z.string(),
  region: z.string(),
  zone: z.string(),
  pid: z.number().nullish(),
  address: z.string().nullish(),
  publicAddress: z.string().optional(),
  launchedAt: z.number(),
  tags: z.record(z.string(), z.string()).optional(),
  state: z.string(),
  restarts: z.number().optional(),
});
const inventorySchema = z.object({ instances: z.array(instanceSchema) });

/** What a termination request came to. */
export type TerminateAnswer =
  | { readonly outcome: 'signalled' }
  /** 404 (no such slot) or 409 (the slot no longer runs that pid). */
  | { readonly outcome: 'gone'; readonly reason: string }
  /** 401 or 403: the token is not the running stack's. */
  | { readonly outcome: 'unauthorized'; readonly reason: string }
  | { readonly outcome: 'failed'; readonly reason: string };

/** Options of {@link StackAdminClient}. */
export interface StackAdminClientOptions {
  /** `http://127.0.0.1:PORT`, the `adminUrl` of stack.json. */
  readonly adminUrl: string;
  /** The running stack's token (`<state-dir>/stack.token`); terminations need it. */
  readonly stackToken?: string;
  /** How long one request may take, its answer included, ms. @default 5000 */
  readonly timeoutMs?: number;
  /** Times the requests out. @default the system clock */
  readonly clock?: Clock;
}

/**
 * A typed client of the stack's admin API.
 *
 * @example
 * const admin = new StackAdminClient({ adminUrl: state.adminUrl, stackToken: readStackToken('.simian') });
 * const [first] = await admin.inventory();
 * await admin.terminate(first.id, { pid: first.pid!, signal: 'SIGKILL' });
 */
export class StackAdminClient {
  readonly adminUrl: string;
  private readonly stackToken: string | undefined;
  private readonly timeoutMs: number;
  private readonly clock: Clock;

  constructor(options: StackAdminClientOptions) {
    this.adminUrl = options.adminUrl;
    this.stackToken = options.stackToken;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Runs one request with an abort on this client's clock: the answer, body included, comes within the timeout or
   * not at all (a stack stopped with SIGSTOP takes the connection and never answers).
   */
  private async timed<T>(request: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const giveUp = new AbortController();
    const timer = this.clock.setTimer(() => giveUp.abort(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs, { keepAlive: false });
    try {
      return await request(giveUp.signal);
    } catch (error) {
      throw giveUp.signal.aborted ? giveUp.signal.reason : error;
    } finally {
      timer.cancel();
    }
  }

  /**
   * Every instance the stack has launched.
   *
   * @throws SimianError `stack.unreachable` when no answer comes in time (or not a 2xx), `stack.badAnswer` when the
   *   body is not an inventory
   */
  async inventory(): Promise<AdminInstance[]> {
    const url = new URL('/inventory', this.adminUrl);
    let body: unknown;
    try {
      body = await this.timed(async (signal) => {
        const answer = await fetch(url, { signal });
        if (!answer.ok) {
          await answer.body?.cancel();
          throw new Error(`HTTP ${answer.status}`);
        }
        return answer.json();
      });
    } catch (error) {
      throw new SimianError('stack.unreachable', `the stack's admin API ${url.href} does not answer: ${errorMessage(error)}`, { cause: error });
    }
    const parsed = inventorySchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SimianError('stack.badAnswer', `${url.href} did not return an inventory: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'unexpected'}`);
    }
    return parsed.data.instances as AdminInstance[];
  }

  /**
   * Asks the supervisor to signal slot `id` if it still runs `pid`.
   *
   * @throws SimianError `stack.unreachable` when no answer comes in time
   */
  async terminate(id: string, request: { readonly pid: number; readonly signal: (typeof TERMINATE_SIGNALS)[number] }): Promise<TerminateAnswer> {
    const url = new URL(`/instances/${encodeURIComponent(id)}/terminate`, this.adminUrl);
    let answer: { status: number; ok: boolean; reason: string };
    try {
      answer = await this.timed(async (signal) => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(this.stackToken ? { authorization: `Bearer ${this.stackToken}` } : {}) },
          body: JSON.stringify(request),
          signal,
        });
        const text = await response.text();
        return { status: response.status, ok: response.ok, reason: errorOf(text) ?? `HTTP ${response.status}` };
      });
    } catch (error) {
      throw new SimianError('stack.unreachable', `the stack's admin API ${url.href} does not answer: ${errorMessage(error)}`, { cause: error });
    }
    if (answer.ok) return { outcome: 'signalled' };
    const { reason } = answer;
    if (answer.status === 404 || answer.status === 409) return { outcome: 'gone', reason };
    if (answer.status === 401 || answer.status === 403) return { outcome: 'unauthorized', reason };
    return { outcome: 'failed', reason };
  }
}

/** The `error` of a JSON error body, if it is one. */
function errorOf(text: string): string | undefined {
  try {
    const error = (JSON.parse(text) as { error?: unknown } | null)?.error;
    return error === undefined ? undefined : String(error);
  } catch {
    return undefined;
  }
}
