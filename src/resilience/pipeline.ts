/**
 * @module
 * Composition: `pipeline(a, b, c)` runs a call through `a`, then `b`, then `c` (outermost first), with one
 * context flowing through so the caller's signal and deadline reach the innermost function.
 */
import type { CallContext, PolicyFn } from './context.js';
import { LatencyHistogram } from './metrics/latency-histogram.js';
import { BasePolicy, invoke, type CommonPolicyOptions, type Policy } from './policy.js';

/** Options of a named pipeline: with `metrics`, it reports end-to-end outcomes and durations. */
export interface PipelineOptions extends Omit<CommonPolicyOptions, 'name'> {
  /** @default 'pipeline' */
  name?: string;
}

/** Several policies applied as one. Disposing it disposes them all. */
export class Pipeline extends BasePolicy {
  readonly policy = 'pipeline';
  readonly outcomes = { success: 0, failure: 0 };
  readonly durations: LatencyHistogram | undefined;

  constructor(
    readonly policies: readonly Policy[],
    options: PipelineOptions = {},
  ) {
    super('pipeline', options);
    policies.forEach((p, i) => {
      if (!p || typeof p.run !== 'function') throw this.check.error(`policies[${i}]`, 'must be a policy (retry(), circuitBreaker(), …)');
    });
    this.durations = this.measured ? new LatencyHistogram() : undefined;
    this.attachMetrics();
  }

  async run<T>(fn: PolicyFn<T>, context: CallContext): Promise<T> {
    this.assertLive();
    if (!this.durations) return this.runFrom(0, fn, context);
    const started = this.clock.monotonic();
    try {
      const value = await this.runFrom(0, fn, context);
      this.outcomes.success++;
      return value;
    } catch (error) {
      this.outcomes.failure++;
      throw error;
    } finally {
      this.durations.observeMs(this.clock.monotonic() - started);
    }
  }

  private runFrom<T>(index: number, fn: PolicyFn<T>, context: CallContext): Promise<T> {
    const policy = this.policies[index];
    if (!policy) return invoke(fn, context);
    return policy.run((inner) => this.runFrom(index + 1, fn, inner as CallContext), context);
  }

  protected override onDispose(): void {
    for (const policy of this.policies) policy.dispose();
  }
}

/**
 * Composes policies, outermost first. An options object may come first to name the pipeline and report its
 * end-to-end outcomes and durations.
 *
 * @example
 * const catalog = pipeline(
 *   { name: 'catalog', metrics: registry },
 *   fallback({ value: [] }),
 *   retry({ maxAttempts: 3, budget }),
 *   circuitBreaker({ name: 'catalog' }),
 *   timeout({ ms: 500 }),
 * );
 * const titles = await catalog.execute(({ signal }) => fetch(url, { signal }).then((r) => r.json()));
 */
export function pipeline(...items: Array<Policy | PipelineOptions>): Pipeline {
  const [first, ...rest] = items;
  if (first !== undefined && !isPolicy(first)) return new Pipeline(rest as Policy[], first);
  return new Pipeline(items as Policy[]);
}

function isPolicy(item: Policy | PipelineOptions): item is Policy {
  return typeof (item as Policy).run === 'function';
}
