/**
 * @module
 * A {@link TrafficShift} behind an HTTP hook: the reference stack's front door (`POST
 * /admin/regions/:region/evacuate|restore`), or any traffic manager that answers the same two routes.
 */
import { SimianError } from '../../core/errors.js';
import type { TrafficShift } from '../provider.js';

/** Options of {@link HttpTrafficShift}. */
export interface HttpTrafficShiftOptions {
  /** How long one request may take, ms. @default 5000 */
  readonly timeoutMs?: number;
  /** @default the global fetch */
  readonly fetch?: typeof fetch;
  /** Sent as `Authorization: Bearer <token>` (the reference stack's front door requires its stack token). */
  readonly token?: string;
}

/**
 * Evacuates and restores regions with `POST <base>/admin/regions/<region>/evacuate` and `/restore`. A 404 is a
 * SimianError `provider.unknownRegion`, any other non-2xx `provider.trafficShiftFailed`, no answer at all
 * `provider.unreachable`.
 *
 * @example
 * const shift = new HttpTrafficShift(readStackState('.simian').frontDoorUrl!);
 * await shift.evacuate('us-east');
 * await shift.restore('us-east');
 */
export class HttpTrafficShift implements TrafficShift {
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;
  private readonly token: string | undefined;

  constructor(
    /** The hook's base URL (`http://127.0.0.1:PORT`); a path prefix is kept. */
    readonly baseUrl: string,
    options: HttpTrafficShiftOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.fetch = options.fetch ?? fetch;
    this.token = options.token;
  }

  evacuate(region: string): Promise<void> {
    return this.post(region, 'evacuate');
  }

  restore(region: string): Promise<void> {
    return this.post(region, 'restore');
  }

  private async post(region: string, action: 'evacuate' | 'restore'): Promise<void> {
    // Joined by hand rather than with new URL(path, base), which would drop a path prefix of the base.
    const url = `${this.baseUrl.replace(/\/+$/, '')}/admin/regions/${encodeURIComponent(region)}/${action}`;
    let response: Response;
    try {
      response = await this.fetch(url, {
        method: 'POST',
        ...(this.token !== undefined ? { headers: { authorization: `Bearer ${this.token}` } } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new SimianError('provider.unreachable', `cannot ${action} region ${region}: POST ${url} failed: ${messageOf(error)}`, { cause: error });
    }
    // Drain the body so the keep-alive connection goes back to the pool.
    const text = await response.text().catch(() => '');
    if (response.ok) return;
    if (response.status === 404) {
      throw new SimianError('provider.unknownRegion', `cannot ${action} region ${region}: POST ${url} answered 404 (no such region)`);
    }
    throw new SimianError('provider.trafficShiftFailed', `cannot ${action} region ${region}: POST ${url} answered HTTP ${response.status} ${text.slice(0, 200)}`.trim());
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
