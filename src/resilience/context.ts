/**
 * @module
 * The context a policy hands to the function it runs: an abort signal, the attempt number and the deadline.
 *
 * The signal is created lazily. Creating an `AbortSignal` and aborting it cost microseconds each (see
 * ../shared/reference/resilience-anchors.md §3.5), so a call whose function never reads `signal` never pays for
 * one, and a timeout that fires before anyone asked for the signal only records its reason.
 */

/** What a policy passes to the function it runs. */
export interface PolicyContext {
  /** Aborted when the caller aborts, or when a policy gives up on this call (a timeout, a losing hedge). */
  readonly signal: AbortSignal;
  /** 1 for the first attempt; retries and hedges count up. */
  readonly attempt: number;
  /** Monotonic time (of the policy's clock) by which the caller needs an answer; `Infinity` when none. */
  readonly deadline: number;
}

/** The function a policy runs. */
export type PolicyFn<T> = (context: PolicyContext) => PromiseLike<T> | T;

/**
 * A node in the tree of calls one `execute` makes. Children see their parent's abort; aborting a child never
 * touches its parent or its siblings.
 */
export class CallContext implements PolicyContext {
  private controller: AbortController | undefined;
  private reason: unknown = undefined;
  private isAborted = false;
  private unlink: (() => void) | undefined;
  /**
   * The caller's function, for a pipeline's innermost layer. Carried on the context so that a pipeline can chain
   * its policies with functions built once, instead of allocating a closure per layer per call. Children inherit it.
   */
  task: PolicyFn<unknown> | undefined;

  constructor(
    private readonly parent: CallContext | undefined,
    private readonly external: AbortSignal | undefined,
    readonly attempt: number,
    readonly deadline: number,
  ) {}

  /** A root context for one `execute` call. */
  static root(signal: AbortSignal | undefined, deadline = Number.POSITIVE_INFINITY): CallContext {
    return new CallContext(undefined, signal, 1, deadline);
  }

  /** A child that can be aborted on its own, with its own attempt number and a deadline no later than ours. */
  child(attempt = this.attempt, deadline = this.deadline): CallContext {
    const child = new CallContext(this, undefined, attempt, deadline < this.deadline ? deadline : this.deadline);
    child.task = this.task;
    return child;
  }

  get aborted(): boolean {
    return this.isAborted || (this.parent !== undefined ? this.parent.aborted : this.external?.aborted === true);
  }

  /** Why this context (or the nearest aborted ancestor) was aborted. */
  get abortReason(): unknown {
    if (this.isAborted) return this.reason;
    return this.parent !== undefined ? this.parent.abortReason : this.external?.reason;
  }

  get signal(): AbortSignal {
    if (this.controller) return this.controller.signal;
    const controller = new AbortController();
    this.controller = controller;
    if (this.aborted) {
      controller.abort(this.abortReason);
      return controller.signal;
    }
    const upstream = this.parent !== undefined ? this.parent.signal : this.external;
    if (upstream) {
      const onAbort = (): void => controller.abort(upstream.reason);
      upstream.addEventListener('abort', onAbort, { once: true });
      this.unlink = () => upstream.removeEventListener('abort', onAbort);
    }
    return controller.signal;
  }

  /** Aborts this context and its descendants. The first reason wins. */
  abort(reason: unknown): void {
    if (this.isAborted) return;
    this.isAborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }

  /**
   * Detaches from the parent's signal once the call is over, so that a long-lived caller signal does not collect
   * one listener per call (the leak behind cockatiel's MaxListenersExceededWarning).
   */
  release(): void {
    if (this.unlink) {
      this.unlink();
      this.unlink = undefined;
    }
  }

  /** Throws the abort reason if this context was aborted. */
  throwIfAborted(): void {
    if (this.aborted) throw this.abortReason;
  }
}
