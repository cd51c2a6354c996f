/**
 * @module
 * Client-side SLIs of a load run, as viewers experience them: request success ratio and latency percentiles per
 * step of the journey, play starts, rebuffering, and billing writes acknowledged versus found afterwards.
 */
import { LatencyHistogram } from './latency-histogram.js';

/** One step of a viewer's journey. */
export type JourneyStep = 'login' | 'home' | 'manifest' | 'segment' | 'subscribe' | 'verify';

/** The SLIs of one run. */
export interface LoadReport {
  readonly durationMs: number;
  readonly sessions: number;
  readonly requests: number;
  readonly failures: number;
  /** Successful requests over all requests; 1 when none were made. */
  readonly successRatio: number;
  /** Percentiles within 1% above the exact ones (see {@link LatencyHistogram}); the max is exact. */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
  readonly byStep: Readonly<Record<JourneyStep, { readonly requests: number; readonly failures: number }>>;
  readonly playStarts: { readonly attempted: number; readonly succeeded: number; readonly ratio: number };
  /** Time spent rebuffering over time spent playing (simulated media time). */
  readonly rebufferRatio: number;
  /** Home pages that came back with the fallback (trending) row. */
  readonly homeFallbacks: number;
  readonly billing: BillingReport;
  /** The first few distinct failure messages, to say what went wrong. */
  readonly sampleErrors: readonly string[];
}

/**
 * Billing writes, checked after the run against what billing holds in every region. A run is sound when `lost` and
 * `duplicated` are 0.
 */
export interface BillingReport {
  /** Writes billing acknowledged (201 or 200). */
  readonly acknowledged: number;
  /** Acknowledged writes found afterwards, in at least one region. */
  readonly found: number;
  /** Acknowledged writes found nowhere: `acknowledged - found`. */
  readonly lost: number;
  /** Extra subscriptions: one viewer's key found under more than one subscription, in one region or across regions. */
  readonly duplicated: number;
  /** The regions whose billing was read; empty when the target does not list its regions (then: wherever it routes). */
  readonly regions: readonly string[];
  /** Viewers whose billing could not be read in some region (no answer in time): their writes there are not counted. */
  readonly unverified: number;
}

const STEPS: readonly JourneyStep[] = ['login', 'home', 'manifest', 'segment', 'subscribe', 'verify'];

/** Collects outcomes during a run; cheap enough for every request. */
export class LoadStats {
  private readonly latencies = new LatencyHistogram();
  private readonly steps = Object.fromEntries(STEPS.map((s) => [s, { requests: 0, failures: 0 }])) as Record<
    JourneyStep,
    { requests: number; failures: number }
  >;
  private readonly errors = new Set<string>();
  sessions = 0;
  playAttempts = 0;
  playStarts = 0;
  playedMs = 0;
  rebufferMs = 0;
  homeFallbacks = 0;
  readonly acknowledgedKeys: string[] = [];
  /** Every key each viewer tried to write, acknowledged or not: what billing may hold for them, at most. */
  readonly attemptedKeys = new Map<string, Set<string>>();
  /** The token each viewer wrote with, so the check afterwards reads as that viewer without logging in again. */
  readonly tokens = new Map<string, string>();
  found = 0;
  duplicated = 0;
  billingRegions: readonly string[] = [];
  unverified = 0;

  /** Records one request of `step`. */
  record(step: JourneyStep, ok: boolean, latencyMs: number, error?: string): void {
    const counts = this.steps[step];
    counts.requests++;
    if (!ok) {
      counts.failures++;
      if (error && this.errors.size < 10) this.errors.add(`${step}: ${error}`);
    }
    this.latencies.record(latencyMs);
  }

  /** Notes that `viewer` (holding `token`) is about to write under `key`. */
  attempt(viewer: string, key: string, token: string): void {
    let keys = this.attemptedKeys.get(viewer);
    if (!keys) this.attemptedKeys.set(viewer, (keys = new Set()));
    keys.add(key);
    this.tokens.set(viewer, token);
  }

  /** The report of the run so far. */
  report(durationMs: number): LoadReport {
    const at = (q: number) => this.latencies.percentile(q);
    const requests = STEPS.reduce((n, s) => n + this.steps[s].requests, 0);
    const failures = STEPS.reduce((n, s) => n + this.steps[s].failures, 0);
    const acknowledged = this.acknowledgedKeys.length;
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return {
      durationMs,
      sessions: this.sessions,
      requests,
      failures,
      successRatio: requests === 0 ? 1 : (requests - failures) / requests,
      latencyMs: { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(this.latencies.max) },
      byStep: structuredClone(this.steps),
      playStarts: {
        attempted: this.playAttempts,
        succeeded: this.playStarts,
        ratio: this.playAttempts === 0 ? 1 : this.playStarts / this.playAttempts,
      },
      rebufferRatio: this.playedMs === 0 ? 0 : this.rebufferMs / this.playedMs,
      homeFallbacks: this.homeFallbacks,
      billing: {
        acknowledged,
        found: this.found,
        lost: acknowledged - this.found,
        duplicated: this.duplicated,
        regions: [...this.billingRegions],
        unverified: this.unverified,
      },
      sampleErrors: [...this.errors],
    };
  }
}
