/**
 * @module
 * Fault injection in the application: adds latency to, or fails, a share of calls before they reach the
 * dependency, so an experiment can check that timeouts, retries and fallbacks behave. No network is involved.
 *
 * Two controls sit above every policy's own configuration: a process-wide off switch
 * ({@link setFaultInjectionEnabled}) and a per-call scope ({@link withFaults}) that lets a server inject a fault
 * into one request only.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { systemRandom, type Random } from '../core/random.js';
import type { CallContext, PolicyFn } from './context.js';
import { InjectedFaultError } from './errors.js';
import type { SampleSink } from './metrics/resilience-metrics.js';
import { OptionChecker } from './options.js';
import { BasePolicy, invoke, type CommonPolicyOptions } from './policy.js';

/** Latency added before a share of calls. */
export interface LatencyFault {
  /** Share of calls delayed, in [0, 1]. */
  rate: number;
  /** The delay, in milliseconds. */
  ms: number;
  /** Up to this much more delay, drawn uniformly. @default 0 */
  jitterMs?: number;
}

/** An error thrown instead of calling the function, for a share of calls. */
export interface ErrorFault {
  /** Share of calls failed, in [0, 1]. */
  rate: number;
  /** Builds the error to throw. @default a new {@link InjectedFaultError} */
  error?: () => unknown;
}

/** Which faults to inject. Latency comes first; a delayed call may then also fail. */
export interface FaultSpec {
  latency?: LatencyFault;
  error?: ErrorFault;
}

/** Options of {@link faultInjection}. */
export interface FaultInjectionOptions extends CommonPolicyOptions, FaultSpec {
  /** Where the coin flips and the jitter come from; a seeded one replays an experiment. @default systemRandom */
  random?: Random;
  /** Whether this policy injects anything; see also {@link FaultInjectionPolicy.enabled}. @default true */
  enabled?: boolean;
}

/** A validated {@link FaultSpec}. */
interface Faults {
  readonly latencyRate: number;
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly errorRate: number;
  readonly makeError: (() => unknown) | undefined;
}

const NO_FAULTS: Faults = { latencyRate: 0, latencyMs: 0, jitterMs: 0, errorRate: 0, makeError: undefined };
const scope = new AsyncLocalStorage<Faults>();
// The off switch lives on globalThis under a registered symbol, so that it also stops the policies of another copy
// of this package loaded in the same process: an operator's kill switch must not depend on module resolution.
const SWITCH = Symbol.for('simian-army.faultInjection.enabled');
const switchHolder = globalThis as unknown as { [SWITCH]?: boolean };

/**
 * Turns fault injection on or off for the whole process. While off, every fault-injection policy passes calls
 * straight through, whatever its configuration or the current {@link withFaults} scope says.
 */
export function setFaultInjectionEnabled(enabled: boolean): void {
  if (typeof enabled !== 'boolean') throw new OptionChecker('setFaultInjectionEnabled').error('enabled', 'must be a boolean');
  switchHolder[SWITCH] = enabled;
}

/** Whether fault injection is on for the process (it is, until {@link setFaultInjectionEnabled} turns it off). */
export function isFaultInjectionEnabled(): boolean {
  return switchHolder[SWITCH] !== false;
}

/**
 * Runs `fn` with `spec` replacing the configuration of every fault-injection policy called inside it, including
 * from its async continuations; `null` injects nothing. The spec is checked here, so a bad one fails at once.
 *
 * @example
 * // Slow down only the requests an experiment marks with a header.
 * const slow: FaultSpec = { latency: { rate: 1, ms: 2_000 } };
 * app.use((req, res, next) => (req.headers['x-chaos'] === 'slow' ? withFaults(slow, next) : next()));
 */
export function withFaults<T>(spec: FaultSpec | null, fn: () => T): T {
  return scope.run(spec === null ? NO_FAULTS : parseFaults(new OptionChecker('withFaults'), spec), fn);
}

/** Injects latency and errors into a share of calls. */
export class FaultInjectionPolicy extends BasePolicy {
  readonly policy = 'fault_injection';
  readonly outcomes = { success: 0, failure: 0 };
  /** Faults injected so far, by kind. */
  readonly injected = { latency: 0, error: 0 };
  /** Whether this policy injects anything; experiments may flip it while the policy is in use. */
  enabled: boolean;
  private readonly faults: Faults;
  private readonly random: Random;

  constructor(options: FaultInjectionOptions) {
    super('faultInjection', options);
    this.faults = parseFaults(this.check, options);
    const { random, enabled } = options;
    if (random !== undefined && typeof random?.next !== 'function') {
      throw this.check.error('random', 'must be a Random: { next(): number }');
    }
    if (enabled !== undefined && typeof enabled !== 'boolean') throw this.check.error('enabled', 'must be a boolean');
    this.random = random ?? systemRandom;
    this.enabled = enabled ?? true;
    this.attachMetrics();
  }

  async run<T>(fn: PolicyFn<T>, context: CallContext): Promise<T> {
    this.assertLive();
    try {
      if (this.enabled && isFaultInjectionEnabled()) {
        const faults = scope.getStore() ?? this.faults;
        if (this.flip(faults.latencyRate)) await this.delay(faults, context);
        if (this.flip(faults.errorRate)) {
          this.injected.error++;
          throw faults.makeError ? faults.makeError() : new InjectedFaultError(this.name);
        }
      }
      const value = await invoke(fn, context);
      this.outcomes.success++;
      return value;
    } catch (error) {
      this.outcomes.failure++;
      throw error;
    }
  }

  override collect(sink: SampleSink): void {
    sink('resilience_fault_injected_total', { name: this.name, kind: 'latency' }, this.injected.latency);
    sink('resilience_fault_injected_total', { name: this.name, kind: 'error' }, this.injected.error);
  }

  /** Certain outcomes draw nothing, so a scripted Random only has to answer real coin flips. */
  private flip(rate: number): boolean {
    if (rate <= 0) return false;
    return rate >= 1 || this.random.next() < rate;
  }

  private delay(faults: Faults, context: CallContext): Promise<void> {
    this.injected.latency++;
    const ms = faults.latencyMs + (faults.jitterMs > 0 ? this.random.next() * faults.jitterMs : 0);
    // The context's signal lets an outer timeout or the caller's abort cut the injected wait short.
    return ms > 0 ? this.clock.sleep(ms, context.signal) : Promise.resolve();
  }
}

/** Checks a spec once, up front, naming the faulty option (`latency.rate`, `error.error`, …). */
function parseFaults(check: OptionChecker, spec: FaultSpec): Faults {
  if (typeof spec !== 'object' || spec === null) throw check.error('spec', 'must be an object { latency?, error? } or null');
  const latency = part(check, 'latency', spec.latency, '{ rate, ms, jitterMs? }');
  const error = part(check, 'error', spec.error, '{ rate, error? }');
  return {
    latencyRate: latency ? check.ratio('latency.rate', check.required('latency.rate', latency.rate), 0) : 0,
    latencyMs: latency ? check.duration('latency.ms', check.required('latency.ms', latency.ms), 0) : 0,
    jitterMs: latency ? check.duration('latency.jitterMs', latency.jitterMs, 0) : 0,
    errorRate: error ? check.ratio('error.rate', check.required('error.rate', error.rate), 0) : 0,
    makeError: error ? check.fn<() => unknown>('error.error', error.error) : undefined,
  };
}

function part<P>(check: OptionChecker, option: string, value: P | undefined, shape: string): P | undefined {
  if (value !== undefined && (typeof value !== 'object' || value === null)) throw check.error(option, `must be an object ${shape}`);
  return value;
}


/**
 * A fault-injection policy: before a share of calls it waits (latency) and/or throws (error) instead of calling the
 * function. Put it inside the policies under test, where the dependency would be.
 *
 * @example
 * const chaos = faultInjection({ name: 'catalog', latency: { rate: 0.1, ms: 800 }, error: { rate: 0.05 } });
 * const catalog = pipeline(fallback({ value: [] }), timeout({ ms: 500 }), chaos);
 * setFaultInjectionEnabled(false); // the experiment is over: every fault-injection policy passes calls through
 */
export function faultInjection(options: FaultInjectionOptions): FaultInjectionPolicy {
  return new FaultInjectionPolicy(options);
}
