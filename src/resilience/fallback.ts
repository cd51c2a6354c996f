/**
 * @module
 * Fallback: when the call fails, answer with something useful instead (a cached row, a default, another source).
 */
import type { CallContext, PolicyContext, PolicyFn } from './context.js';
import { BasePolicy, invoke, type CommonPolicyOptions } from './policy.js';

/** Options of {@link fallback}. Give exactly one of `value` and `fn`. */
export interface FallbackOptions<R> extends CommonPolicyOptions {
  /** The answer to give when the call fails. */
  value?: R;
  /** Computes the answer from the error (the `cause`) and the call's context; may itself be async. */
  fn?: (cause: unknown, context: PolicyContext) => R | PromiseLike<R>;
  /**
   * Which errors to answer for; others are rethrown. An abort by the caller is always rethrown: nobody is waiting.
   * @default every error
   */
  handles?: (error: unknown) => boolean;
}

/** Answers failed calls with a fallback value. */
export class FallbackPolicy<R> extends BasePolicy {
  readonly policy = 'fallback';
  /** `fallback`: the fallback answered; `failure`: the error was not handled, or the fallback itself failed. */
  readonly outcomes = { success: 0, fallback: 0, failure: 0 };
  private readonly produce: (cause: unknown, context: PolicyContext) => R | PromiseLike<R>;
  private readonly handles: ((error: unknown) => boolean) | undefined;

  constructor(options: FallbackOptions<R>) {
    super('fallback', options);
    const fn = this.check.fn<FallbackOptions<R>['fn']>('fn', options.fn);
    const hasValue = 'value' in options;
    if (fn && hasValue) throw this.check.error('value', 'cannot be given together with "fn"; choose one');
    if (!fn && !hasValue) throw this.check.error('value', 'or "fn" is required: what should a failed call answer?');
    const value = options.value as R;
    this.produce = fn ?? (() => value);
    this.handles = this.check.fn('handles', options.handles);
    this.attachMetrics();
  }

  async run<T>(fn: PolicyFn<T>, context: CallContext): Promise<T> {
    this.assertLive();
    try {
      const value = await invoke(fn, context);
      this.outcomes.success++;
      return value;
    } catch (error) {
      if (context.aborted || (this.handles !== undefined && !this.handles(error))) {
        this.outcomes.failure++;
        throw error;
      }
      try {
        const value = (await this.produce(error, context)) as unknown as T;
        this.outcomes.fallback++;
        return value;
      } catch (fallbackError) {
        this.outcomes.failure++;
        throw fallbackError;
      }
    }
  }
}

/**
 * A fallback policy.
 *
 * @example
 * const rows = fallback({ fn: () => trendingRowFromCache() });
 * await rows.execute(() => recommendations.forUser(id)); // trending row if recommendations fail
 */
export function fallback<R>(options: FallbackOptions<R>): FallbackPolicy<R> {
  return new FallbackPolicy(options);
}
