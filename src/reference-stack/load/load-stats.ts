/**
 * @module
 * Client-side SLIs of a load run, as viewers experience them: request success ratio and latency percentiles per
 * step of the journey, play starts, rebuffering, and billing writes acknowledged versus found afterwards.
 */

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
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
  readonly byStep: Readonly<Record<JourneyStep, { readonly requests: number; readonly failures: number }>>;
  readonly playStarts: { readonly attempted: number; readonly succeeded: number; readonly ratio: number };
  /** Time spent rebuffering over time spent playing (simulated media time). */
  readonly rebufferRatio: number;
  /** Home pages that came back with the fallback (trending) row. */
  readonly homeFallbacks: number;
  readonly billing: { readonly acknowledged: number; readonly found: number; readonly lost: number; readonly duplicated: number };
  /** The first few distinct failure messages, to say what went wrong. */
  readonly sampleErrors: readonly string[];
}

const STEPS: readonly JourneyStep[] = ['login', 'home', 'manifest', 'segment', 'subscribe', 'verify'];

/** Collects outcomes during a run; cheap enough for every request. */
export class LoadStats {
  private readonly latencies: number[] = [];
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
  found = 0;
  duplicated = 0;

  /** Records one request of `step`. */
  record(step: JourneyStep, ok: boolean, latencyMs: number, error?: string): void {
    const counts = this.steps[step];
    counts.requests++;
    if (!ok) {
      counts.failures++;
      if (error && this.errors.size < 10) this.errors.add(`${step}: ${error}`);
    }
    this.latencies.push(latencyMs);
  }

  /** Notes that `viewer` is about to write under `key`. */
  attempt(viewer: string, key: string): void {
    let keys = this.attemptedKeys.get(viewer);
    if (!keys) this.attemptedKeys.set(viewer, (keys = new Set()));
    keys.add(key);
  }

  /** The report of the run so far. */
  report(durationMs: number): LoadReport {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
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
      latencyMs: { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? 0) },
      byStep: structuredClone(this.steps),
      playStarts: {
        attempted: this.playAttempts,
        succeeded: this.playStarts,
        ratio: this.playAttempts === 0 ? 1 : this.playStarts / this.playAttempts,
      },
      rebufferRatio: this.playedMs === 0 ? 0 : this.rebufferMs / this.playedMs,
      homeFallbacks: this.homeFallbacks,
      billing: { acknowledged, found: this.found, lost: acknowledged - this.found, duplicated: this.duplicated },
      sampleErrors: [...this.errors],
    };
  }
}
