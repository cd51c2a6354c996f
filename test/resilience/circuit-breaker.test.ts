import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/core/index.js';
import {
  BulkheadRejectedError,
  CircuitOpenError,
  RateLimitedError,
  bulkhead,
  circuitBreaker,
  isCircuitOpenError,
  pipeline,
  timeout,
  type CircuitBreakerOptions,
  type StateChange,
} from '../../src/resilience/index.js';
import { deferred } from '../support/deferred.js';

const fail = () => Promise.reject(new Error('down'));
const succeed = () => Promise.resolve('ok');

function setup(options: CircuitBreakerOptions = {}) {
  const clock = new ManualClock();
  const breaker = circuitBreaker({ clock, minimumCalls: 4, window: { kind: 'count', size: 10 }, openDurationMs: 1000, halfOpenProbes: 2, ...options });
  const changes: string[] = [];
  breaker.onStateChange(({ from, to }: StateChange) => changes.push(`${from}->${to}`));
  const run = (fn: () => Promise<string>) => breaker.execute(fn).catch((e: unknown) => e);
  return { clock, breaker, changes, run };
}

async function openIt(run: (fn: () => Promise<string>) => Promise<unknown>, times = 4) {
  for (let i = 0; i < times; i++) await run(fail);
}

describe('circuit breaker', () => {
  it('stays closed until the window holds the minimum number of calls', async () => {
    const { breaker, run } = setup();
    await openIt(run, 3);
    expect(breaker.state).toBe('closed');
    await run(fail);
    expect(breaker.state).toBe('open');
  });

  it('opens at the failure rate threshold and not below it', async () => {
    const { breaker, run } = setup({ failureRateThreshold: 0.5 });
    for (const fn of [succeed, succeed, succeed, fail, succeed, fail]) await run(fn); // 2/6
    expect(breaker.state).toBe('closed');
    await run(fail); // 3/7
    expect(breaker.state).toBe('closed');
    await run(fail); // 4/8 = 0.5
    expect(breaker.state).toBe('open');
  });

  it('fails fast while open without calling the dependency', async () => {
    const { breaker, run } = setup();
    await openIt(run);
    let called = false;
    const error = await run(() => {
      called = true;
      return succeed();
    });
    expect(called).toBe(false);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(isCircuitOpenError(error)).toBe(true);
    expect(breaker.outcomes.short_circuited).toBe(1);
  });

  it('opens, half-opens after the open duration, and closes when the probes succeed', async () => {
    const { clock, breaker, changes, run } = setup();
    await openIt(run);
    await clock.advance(999);
    expect(breaker.state).toBe('open');
    await clock.advance(1);
    expect(breaker.state).toBe('half_open');
    expect(await run(succeed)).toBe('ok');
    expect(breaker.state).toBe('half_open');
    expect(await run(succeed)).toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
  });

  it('admits only the configured number of concurrent probes while half-open', async () => {
    const { clock, breaker, run } = setup({ halfOpenProbes: 2 });
    await openIt(run);
    await clock.advance(1000);
    const first = deferred<string>();
    const second = deferred<string>();
    const p1 = run(() => first.promise);
    const p2 = run(() => second.promise);
    expect(await run(succeed)).toBeInstanceOf(CircuitOpenError);
    first.resolve('a');
    second.resolve('b');
    expect([await p1, await p2]).toEqual(['a', 'b']);
    expect(breaker.state).toBe('closed');
  });

  it('reopens when probes fail, for longer each time, and resets the duration once closed', async () => {
    const { clock, breaker, changes, run } = setup({ openBackoffMultiplier: 2, maxOpenDurationMs: 3000 });
    await openIt(run);
    await clock.advance(1000);
    await run(fail); // 1 of 2 probes failed: 0.5 >= threshold
    expect(breaker.state).toBe('open');
    await clock.advance(1999);
    expect(breaker.state).toBe('open');
    await clock.advance(1);
    expect(breaker.state).toBe('half_open');
    await run(fail);
    await clock.advance(2999); // capped at 3000
    expect(breaker.state).toBe('open');
    await clock.advance(1);
    await run(succeed);
    await run(succeed);
    expect(breaker.state).toBe('closed');
    await openIt(run);
    await clock.advance(1000);
    expect(breaker.state).toBe('half_open');
    expect(changes.filter((c) => c === 'half_open->open')).toHaveLength(2);
  });

  it('does not count capacity rejections or caller aborts as failures', async () => {
    const { breaker, run } = setup();
    for (let i = 0; i < 20; i++) {
      await run(() => Promise.reject(new BulkheadRejectedError('pool', 10)));
      await run(() => Promise.reject(new RateLimitedError('api', 100)));
    }
    const controller = new AbortController();
    controller.abort(new Error('caller left'));
    for (let i = 0; i < 10; i++) await breaker.execute(fail, { signal: controller.signal }).catch(() => undefined);
    expect(breaker.state).toBe('closed');
    expect(breaker.snapshot().calls).toBe(0);
    expect(breaker.outcomes.ignored).toBe(50);
    expect(breaker.opossumStats.failures).toBe(0);
  });

  it('stays closed while a bulkhead inside it sheds load', async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({ clock, minimumCalls: 4 });
    const guarded = pipeline(breaker, bulkhead({ maxConcurrent: 2, clock }));
    const gate = deferred<string>();
    const calls = Array.from({ length: 50 }, () => guarded.execute(() => gate.promise).catch((e: unknown) => e));
    await Promise.resolve();
    gate.resolve('ok');
    const results = await Promise.all(calls);
    expect(results.filter((r) => r === 'ok')).toHaveLength(2);
    expect(results.filter((r) => r instanceof BulkheadRejectedError)).toHaveLength(48);
    expect(breaker.state).toBe('closed');
    expect(breaker.outcomes).toMatchObject({ success: 2, failure: 0, ignored: 48 });
  });

  it('counts only what isFailure calls a failure', async () => {
    const { breaker, run } = setup({ isFailure: (e) => (e as Error).message !== 'not found' });
    for (let i = 0; i < 10; i++) await run(() => Promise.reject(new Error('not found')));
    expect(breaker.state).toBe('closed');
    expect(breaker.snapshot()).toMatchObject({ calls: 10, failures: 0 });
  });

  it('forgets failures that slide out of a time-based window', async () => {
    const { clock, breaker, run } = setup({ window: { kind: 'time', durationMs: 1000, buckets: 10 } });
    await openIt(run, 3);
    await clock.advance(1000);
    await run(fail);
    expect(breaker.snapshot().calls).toBe(1);
    expect(breaker.state).toBe('closed');
    await openIt(run, 3);
    expect(breaker.state).toBe('open');
  });

  it('opens on the rate of slow calls before any call fails', async () => {
    const { clock, breaker, run } = setup({ slowCallDurationMs: 100, slowCallRateThreshold: 0.5 });
    for (let i = 0; i < 4; i++) {
      const slow = deferred<string>();
      const call = run(() => slow.promise);
      await clock.advance(150);
      slow.resolve('late');
      expect(await call).toBe('late');
    }
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().failures).toBe(0);
  });

  it('counts a timeout inside it as a failure, and one timeout aborts no other call', async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({ clock, minimumCalls: 2, failureRateThreshold: 1 });
    const guarded = pipeline(breaker, timeout({ ms: 100, clock }));
    const signals: AbortSignal[] = [];
    const hang = guarded.execute(({ signal }) => {
      signals.push(signal);
      return new Promise(() => undefined);
    });
    hang.catch(() => undefined);
    const other = deferred<string>();
    await clock.advance(60);
    const answered = guarded.execute(({ signal }) => {
      signals.push(signal);
      return other.promise;
    });
    await clock.advance(40);
    await expect(hang).rejects.toThrow(/timed out/);
    expect(signals.map((s) => s.aborted)).toEqual([true, false]);
    other.resolve('fine');
    await expect(answered).resolves.toBe('fine');
    expect(breaker.snapshot()).toMatchObject({ calls: 2, failures: 1 });
    guarded.dispose();
    expect(clock.pendingTimers).toBe(0);
  });

  it('can be isolated by an operator and disabled', async () => {
    const { breaker, changes, run } = setup();
    const first = breaker.isolate();
    const second = breaker.isolate();
    expect(await run(succeed)).toBeInstanceOf(CircuitOpenError);
    first.dispose();
    first.dispose();
    expect(breaker.state).toBe('forced_open');
    second.dispose();
    expect(breaker.state).toBe('closed');
    breaker.disable();
    await openIt(run, 10);
    expect(breaker.state).toBe('disabled');
    breaker.enable();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['closed->forced_open', 'forced_open->closed', 'closed->disabled', 'disabled->closed']);
  });

  it('exports its state and transitions as metrics, every series from the start', async () => {
    const registry = new Registry();
    const clock = new ManualClock();
    const breaker = circuitBreaker({ clock, name: 'catalog', metrics: registry, minimumCalls: 2 });
    let text = await registry.metrics();
    expect(text).toContain('resilience_circuit_state{name="catalog",state="closed"} 1');
    expect(text).toContain('resilience_circuit_transitions_total{name="catalog",from="closed",to="open"} 0');
    expect(text).toContain('resilience_calls_total{policy="circuit_breaker",name="catalog",outcome="failure"} 0');
    await breaker.execute(fail).catch(() => undefined);
    await breaker.execute(fail).catch(() => undefined);
    await breaker.execute(succeed).catch(() => undefined);
    text = await registry.metrics();
    expect(text).toContain('resilience_circuit_state{name="catalog",state="open"} 1');
    expect(text).toContain('resilience_circuit_state{name="catalog",state="closed"} 0');
    expect(text).toContain('resilience_circuit_transitions_total{name="catalog",from="closed",to="open"} 1');
    expect(text).toContain('resilience_calls_total{policy="circuit_breaker",name="catalog",outcome="failure"} 2');
    expect(text).toContain('resilience_calls_total{policy="circuit_breaker",name="catalog",outcome="short_circuited"} 1');
    expect(text).toContain('resilience_call_duration_seconds_count{policy="circuit_breaker",name="catalog"} 2');
    breaker.dispose();
    expect(await registry.metrics()).not.toContain('name="catalog"');
  });

  it('runs every admitted call through opossum', async () => {
    const { breaker, run } = setup();
    await run(succeed);
    await run(fail);
    expect(breaker.opossumStats).toMatchObject({ fires: 2, successes: 1, failures: 1 });
  });

  it('leaves no timer behind after dispose, on a manual or the system clock', async () => {
    const { clock, breaker, run } = setup();
    await openIt(run);
    expect(clock.pendingTimers).toBe(1);
    breaker.dispose();
    expect(clock.pendingTimers).toBe(0);
    await expect(breaker.execute(succeed)).rejects.toThrow(/disposed/);

    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const real = circuitBreaker({ minimumCalls: 1 });
    await real.execute(fail).catch(() => undefined);
    expect(real.state).toBe('open');
    real.dispose();
    expect(timers()).toBe(before);
  });

  it('names invalid options', () => {
    expect(() => circuitBreaker({ failureRateThreshold: 2 })).toThrow(/circuitBreaker: option "failureRateThreshold" must be between/);
    expect(() => circuitBreaker({ minimumCalls: 0 })).toThrow(/"minimumCalls"/);
    expect(() => circuitBreaker({ window: { kind: 'sliding' } as never })).toThrow(/"window.kind"/);
    expect(() => circuitBreaker({ window: { kind: 'count', size: 0 } })).toThrow(/"window.size"/);
    expect(() => circuitBreaker({ halfOpenProbes: 0 })).toThrow(/"halfOpenProbes"/);
    expect(() => circuitBreaker({ metrics: {} as never })).toThrow(/"metrics" must be a prom-client Registry/);
  });
});
