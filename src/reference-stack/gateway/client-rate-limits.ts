/**
 * @module
 * A rate limit per client: each viewer (or connection address, before login) has its own token bucket, so one
 * noisy client cannot take the gateway from everyone else. Buckets are the resilience library's rate limiter; the
 * least recently seen are dropped past a cap, so memory stays bounded whatever the number of clients.
 */
import type { Clock } from '../../core/clock.js';
import { rateLimiter, type RateLimiterPolicy } from '../../resilience/rate-limiter.js';

/** Options of {@link ClientRateLimits}. */
export interface ClientRateLimitOptions {
  /** Sustained requests per second per client. @default 50 */
  ratePerSecond?: number;
  /** Burst per client. @default 100 */
  burst?: number;
  /** Clients remembered at once. @default 10_000 */
  maxClients?: number;
  clock: Clock;
}

/** Token buckets keyed by client. */
export class ClientRateLimits {
  private readonly buckets = new Map<string, RateLimiterPolicy>();

  constructor(private readonly options: ClientRateLimitOptions) {}

  /** The limit every client gets, defaults filled in (the gateway reports it; Security Monkey reads it). */
  get settings(): { readonly ratePerSecond: number; readonly burst: number } {
    return { ratePerSecond: this.options.ratePerSecond ?? 50, burst: this.options.burst ?? 100 };
  }

  /** The bucket of `client`, created on first sight; touching it marks it recently used. */
  for(client: string): RateLimiterPolicy {
    let bucket = this.buckets.get(client);
    if (bucket) {
      this.buckets.delete(client);
    } else {
      bucket = rateLimiter({
        name: 'gateway-client',
        clock: this.options.clock,
        ...this.settings,
      });
      if (this.buckets.size >= (this.options.maxClients ?? 10_000)) {
        const [oldest] = this.buckets.keys();
        this.buckets.get(oldest!)?.dispose();
        this.buckets.delete(oldest!);
      }
    }
    this.buckets.set(client, bucket);
    return bucket;
  }

  /** Clients currently tracked. */
  get size(): number {
    return this.buckets.size;
  }
}
