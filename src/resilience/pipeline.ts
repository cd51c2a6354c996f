/**
 * @module
 * Composition: `pipeline(a, b, c)` runs a call through `a`, then `b`, then `c` (outermost first), with one
 * context flowing through so the caller's signal and deadline reach the innermost function.
 */
import type { CallContext, PolicyContext, PolicyFn } from './context.js';
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
  /**
   * `layers[i]` runs policy i with `layers[i + 1]` as its function; the last calls the caller's function (the
   * context's task). Built once, so a call allocates no closure per layer.
   */
  private readonly layers: Array<(context: PolicyContext) => Promise<unknown>>;

  constructor(
    readonly policies: readonly Policy[],
    options: PipelineOptions = {},
  ) {
    super('pipeline', options);
    policies.forEach((p, i) => {
      if (!p || typeof p.run !== 'function') throw this.check.error(`policies[${i}]`, 'must be a policy (retry(), circuitBreaker(), …)');
    });
    this.durations = this.measured ? new LatencyHistogram() : undefined;
    const innermost = (context: PolicyContext): Promise<unknown> => invoke((context as CallContext).task!, context as CallContext);
    this.layers = [innermost];
    for (let i = policies.length - 1; i >= 0; i--) {
      const policy = policies[i]!;
      const next = this.layers[0]!;
      this.layers.unshift((context) => policy.run(next, context as CallContext));
    }
    this.attachMetrics();
  }

  run<T>(fn: PolicyFn<T>, context: CallContext): Promise<T> {
    this.assertLive();
    // A pipeline nested in another one gets a context of its own, so the outer pipeline's task is left intact.
    const own = context.task === undefined ? context : context.child();
    own.task = fn as PolicyFn<unknown>;
    const running = this.layers[0]!(own) as Promise<T>;
    if (!this.durations) return running;
    const started = this.clock.monotonic();
    return running.then(
      (value) => {
        this.outcomes.success++;
        this.durations!.observeMs(this.clock.monotonic() - started);
        return value;
      },
      (error: unknown) => {
        this.outcomes.failure++;
        this.durations!.observeMs(this.clock.monotonic() - started);
        throw error;
      },
    );
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
