import { afterEach, describe, it, expect } from 'vitest';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/core/manual-clock.js';
import { SeededRandom, type Random } from '../../src/core/random.js';
import { CallContext } from '../../src/resilience/context.js';
import { InjectedFaultError, InvalidOptionError, TimeoutError, isInjectedFaultError } from '../../src/resilience/errors.js';
import { fallback } from '../../src/resilience/fallback.js';
import {
  faultInjection,
  isFaultInjectionEnabled,
  setFaultInjectionEnabled,
  withFaults,
} from '../../src/resilience/fault-injection.js';
import { pipeline } from '../../src/resilience/pipeline.js';

/** A Random that returns `values` in order and fails the test on any draw beyond them. */
function scripted(...values: number[]): Random & { readonly left: number } {
  return {
    next: () => {
      const value = values.shift();
      if (value === undefined) throw new Error('unexpected draw from Random');
      return value;
    },
    get left() {
      return values.length;
    },
  };
}

/** Records whether the wrapped function ran. */
function probe(): { fn: () => string; calls: number } {
  const state = {
    calls: 0,
    fn: () => {
      state.calls++;
      return 'real';
    },
  };
  return state;
}

describe('faultInjection', () => {
  afterEach(() => setFaultInjectionEnabled(true));

  it('delays a call by ms plus uniform jitter before calling the function', async () => {
    const clock = new ManualClock();
    const random = scripted(0.5, 0.25);
    const policy = faultInjection({ latency: { rate: 0.6, ms: 100, jitterMs: 40 }, random, clock });
    const target = probe();
    const call = policy.execute(target.fn);

    await clock.advance(109);
    expect(target.calls).toBe(0);
    await clock.advance(1); // 100 + 0.25 × 40
    expect(await call).toBe('real');
    expect(random.left).toBe(0);
    expect(policy.injected).toEqual({ latency: 1, error: 0 });
    expect(clock.pendingTimers).toBe(0);
  });

  it('throws an InjectedFaultError instead of calling the function', async () => {
    const policy = faultInjection({ name: 'catalog', error: { rate: 1 }, random: scripted() });
    const target = probe();
    const error = await policy.execute(target.fn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InjectedFaultError);
    expect(isInjectedFaultError(error)).toBe(true);
    expect((error as InjectedFaultError).policy).toBe('catalog');
    expect(target.calls).toBe(0);
    expect(policy.outcomes).toEqual({ success: 0, failure: 1 });
  });

  it('throws the error the error option builds', async () => {
    const boom = new Error('ECONNRESET');
    const policy = faultInjection({ error: { rate: 1, error: () => boom } });
    await expect(policy.execute(() => 'real')).rejects.toBe(boom);
  });

  it('flips a coin from the injected Random against each rate', async () => {
    const clock = new ManualClock();
    // latency coin, error coin for each call: first call delayed only, second failed only.
    const random = scripted(0.29, 0.5, 0.3, 0.49);
    const policy = faultInjection({ latency: { rate: 0.3, ms: 10 }, error: { rate: 0.5 }, random, clock });
    const first = policy.execute(() => 'first');
    await clock.advance(10);
    expect(await first).toBe('first');
    await expect(policy.execute(() => 'second')).rejects.toBeInstanceOf(InjectedFaultError);
    expect(random.left).toBe(0);
    expect(policy.injected).toEqual({ latency: 1, error: 1 });
  });

  it('injects at about the configured rate with a seeded Random, the same count on every run', async () => {
    const run = async (): Promise<number> => {
      const policy = faultInjection({ error: { rate: 0.2 }, random: new SeededRandom(7) });
      for (let i = 0; i < 1_000; i++) await policy.executeOutcome(() => undefined);
      return policy.injected.error;
    };
    const count = await run();
    expect(count).toBeGreaterThan(150);
    expect(count).toBeLessThan(250);
    expect(await run()).toBe(count);
  });

  it('cuts the injected wait short when the caller aborts, without calling the function', async () => {
    const clock = new ManualClock();
    const policy = faultInjection({ latency: { rate: 1, ms: 1_000 }, clock });
    const target = probe();
    const controller = new AbortController();
    const call = policy.execute(target.fn, { signal: controller.signal });
    await clock.advance(100);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(target.calls).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('cuts the injected wait short when an outer policy aborts the context (a timeout)', async () => {
    const clock = new ManualClock();
    const policy = faultInjection({ latency: { rate: 1, ms: 1_000 }, clock });
    const context = CallContext.root(undefined);
    const timedOut = new TimeoutError('outer', 200);
    clock.setTimer(() => context.abort(timedOut), 200);
    const call = policy.run(() => 'late', context).catch((e: unknown) => e);
    await clock.advance(200);
    expect(await call).toBe(timedOut);
    expect(clock.pendingTimers).toBe(0);
  });

  it('passes every call straight through while the process-wide switch is off', async () => {
    const clock = new ManualClock();
    const policy = faultInjection({ error: { rate: 1 }, latency: { rate: 1, ms: 1_000 }, random: scripted(), clock });
    expect(isFaultInjectionEnabled()).toBe(true);
    setFaultInjectionEnabled(false);
    expect(isFaultInjectionEnabled()).toBe(false);
    // The clock never moves here: an injected delay would leave these calls hanging.
    expect(await policy.execute(() => 'real')).toBe('real');
    expect(await withFaults({ error: { rate: 1 } }, () => policy.execute(() => 'scoped'))).toBe('scoped');
    expect(policy.injected).toEqual({ latency: 0, error: 0 });

    setFaultInjectionEnabled(true);
    const call = policy.execute(() => 'real').catch((e: unknown) => e);
    await clock.advance(1_000);
    expect(await call).toBeInstanceOf(InjectedFaultError);
    expect(policy.injected).toEqual({ latency: 1, error: 1 });
  });

  it('passes calls through while the policy itself is disabled', async () => {
    const policy = faultInjection({ error: { rate: 1 }, enabled: false });
    expect(await policy.execute(() => 'real')).toBe('real');
    policy.enabled = true;
    await expect(policy.execute(() => 'real')).rejects.toBeInstanceOf(InjectedFaultError);
  });

  it('uses the withFaults spec instead of its own inside the scope, across awaits, and only there', async () => {
    const clock = new ManualClock();
    const policy = faultInjection({ error: { rate: 1 }, clock });
    const inScope = withFaults({ latency: { rate: 1, ms: 50 } }, async () => {
      await Promise.resolve();
      return policy.execute(() => 'scoped');
    });
    await clock.advance(50);
    expect(await inScope).toBe('scoped');
    expect(await withFaults(null, () => policy.execute(() => 'clean'))).toBe('clean');
    await expect(policy.execute(() => 'outside')).rejects.toBeInstanceOf(InjectedFaultError);
    expect(policy.injected).toEqual({ latency: 1, error: 1 });
  });

  it('lets a scope turn faults on for one request through a policy configured with none', async () => {
    const policy = faultInjection({ name: 'gateway' });
    const handle = (chaos: boolean) => {
      const serve = () => policy.execute(() => 'ok');
      return chaos ? withFaults({ error: { rate: 1 } }, serve) : serve();
    };
    const [plain, faulty] = await Promise.allSettled([handle(false), handle(true)]);
    expect(plain).toEqual({ status: 'fulfilled', value: 'ok' });
    expect(faulty.status === 'rejected' && isInjectedFaultError(faulty.reason)).toBe(true);
  });

  it.each([
    [{ latency: { rate: 1.5, ms: 10 } }, 'latency.rate', 'between 0 and 1'],
    [{ latency: { ms: 10 } }, 'latency.rate', 'is required'],
    [{ latency: { rate: 1 } }, 'latency.ms', 'is required'],
    [{ latency: { rate: 1, ms: -5 } }, 'latency.ms', 'between 0'],
    [{ latency: { rate: 1, ms: 5, jitterMs: Number.POSITIVE_INFINITY } }, 'latency.jitterMs', 'finite'],
    [{ latency: 5 }, 'latency', 'must be an object'],
    [{ error: { rate: -0.1 } }, 'error.rate', 'between 0 and 1'],
    [{ error: { rate: 0.5, error: 'boom' } }, 'error.error', 'must be a function'],
    [{ random: Math }, 'random', 'must be a Random'],
    [{ enabled: 'yes' }, 'enabled', 'must be a boolean'],
  ])('rejects invalid options %j naming %s', (options, option, detail) => {
    const build = () => faultInjection(options as never);
    expect(build).toThrow(InvalidOptionError);
    expect(build).toThrow(`faultInjection: option "${option}"`);
    expect(build).toThrow(detail);
  });

  it('checks a withFaults spec before running the scope', () => {
    let ran = false;
    const enter = () =>
      withFaults({ error: { rate: 2 } }, () => {
        ran = true;
      });
    expect(enter).toThrow(InvalidOptionError);
    expect(enter).toThrow('withFaults: option "error.rate"');
    expect(ran).toBe(false);
    expect(() => setFaultInjectionEnabled('off' as never)).toThrow('option "enabled"');
  });

  it('exports injected faults by kind and outcomes, all from zero', async () => {
    const clock = new ManualClock();
    const registry = new Registry();
    const policy = faultInjection({ name: 'catalog', error: { rate: 0.5 }, random: scripted(0.9, 0.1), clock, metrics: registry });
    let text = await registry.metrics();
    expect(text).toContain('resilience_fault_injected_total{name="catalog",kind="latency"} 0');
    expect(text).toContain('resilience_fault_injected_total{name="catalog",kind="error"} 0');
    expect(text).toContain('resilience_calls_total{policy="fault_injection",name="catalog",outcome="failure"} 0');

    await policy.execute(() => 'real');
    await expect(policy.execute(() => 'real')).rejects.toBeInstanceOf(InjectedFaultError);
    text = await registry.metrics();
    expect(text).toContain('resilience_fault_injected_total{name="catalog",kind="error"} 1');
    expect(text).toContain('resilience_fault_injected_total{name="catalog",kind="latency"} 0');
    expect(text).toContain('resilience_calls_total{policy="fault_injection",name="catalog",outcome="success"} 1');
    expect(text).toContain('resilience_calls_total{policy="fault_injection",name="catalog",outcome="failure"} 1');
  });

  it('composes in a pipeline: a fallback outside answers for an injected error', async () => {
    const chaos = faultInjection({ name: 'catalog', error: { rate: 1 } });
    const outer = fallback<string[]>({ fn: (cause) => (isInjectedFaultError(cause) ? ['cached'] : []) });
    const policy = pipeline(outer, chaos);
    const target = probe();
    expect(await policy.execute(() => [target.fn()])).toEqual(['cached']);
    expect(target.calls).toBe(0);
    expect(outer.outcomes).toEqual({ success: 0, fallback: 1, failure: 0 });
    expect(chaos.injected.error).toBe(1);
  });
});
