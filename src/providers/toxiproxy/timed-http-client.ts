/**
 * @module
 * The HTTP layer of `toxiproxy-node-client`, with a timeout and an injectable fetch. The client (4.x) calls the
 * global `fetch` without a signal, so a Toxiproxy that accepts a connection and never answers would hold a monkey,
 * and the revert of its fault, forever. Its `Toxiproxy`, `Proxy` and `Toxic` objects do all their HTTP through the
 * public `api` field (an `HttpClient`), so giving a `Toxiproxy` this client bounds every call they make.
 */
import { HttpClient, type HttpResponse } from 'toxiproxy-node-client/dist/HttpClient.js';
import { ToxiproxyError } from 'toxiproxy-node-client';

/** Options of {@link TimedHttpClient}. */
export interface TimedHttpClientOptions {
  /** How long one request may take, its answer read in full, ms. */
  readonly timeoutMs: number;
  /** @default the global fetch */
  readonly fetch?: typeof fetch;
}

/**
 * An `HttpClient` whose every request, answer included, ends within `timeoutMs`. It fails the way the client
 * does, so callers that read its errors keep working: a request that got no answer in time, or whose answer broke
 * off, is a `ToxiproxyError` named after the failure (`TimeoutError`, `TypeError`) without a status; a non-2xx
 * answer is "Request failed with status code N"; an answer that is not JSON is a `SyntaxError`.
 *
 * @example
 * const toxiproxy = new Toxiproxy(url);
 * toxiproxy.api = new TimedHttpClient({ timeoutMs: 5_000 });
 */
export class TimedHttpClient extends HttpClient {
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: TimedHttpClientOptions) {
    super();
    this.timeoutMs = options.timeoutMs;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  override get<T>(url: string): Promise<HttpResponse<T>> {
    return this.json<T>('GET', url);
  }

  override post<T>(url: string, body?: unknown): Promise<HttpResponse<T>> {
    return this.json<T>('POST', url, body);
  }

  override async delete(url: string): Promise<void> {
    await this.text('DELETE', url);
  }

  override getText(url: string): Promise<string> {
    return this.text('GET', url);
  }

  private async json<T>(method: string, url: string, body?: unknown): Promise<HttpResponse<T>> {
    const text = await this.text(method, url, body);
    if (text.length === 0) return { data: undefined as T };
    try {
      return { data: JSON.parse(text) as T };
    } catch (error) {
      throw asToxiproxyError(error);
    }
  }

  /** Sends one request and reads its answer as text, both under one timeout. */
  private async text(method: string, url: string, body?: unknown): Promise<string> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    const init: RequestInit = { method, signal };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    let response: Response;
    try {
      response = await this.fetchImpl(url, init);
    } catch (error) {
      throw this.noAnswer(error, signal);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new ToxiproxyError('Error', `Request failed with status code ${response.status}`);
    }
    try {
      return await response.text();
    } catch (error) {
      throw this.noAnswer(error, signal);
    }
  }

  private noAnswer(error: unknown, signal: AbortSignal): ToxiproxyError {
    if (signal.aborted) return new ToxiproxyError('TimeoutError', `no answer within ${this.timeoutMs} ms`);
    return asToxiproxyError(error);
  }
}

function asToxiproxyError(error: unknown): ToxiproxyError {
  const cause = error instanceof Error ? error : new Error(String(error));
  return new ToxiproxyError(cause.name, cause.message, cause.stack);
}
