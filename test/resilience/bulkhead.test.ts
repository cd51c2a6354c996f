import { describe, it, expect } from 'vitest';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/core/manual-clock.js';
import { bulkhead, type BulkheadRejection } from '../../src/resilience/bulkhead.js';
import { CallContext } from '../../src/resilience/context.js';
import {
  BulkheadRejectedError,
  InvalidOptionError,
  PolicyDisposedError,
  TimeoutError,
  isBulkheadRejectedError,
} from '../../src/resilience/errors.js';
import { fallback } from '../../src/resilience/fallback.js';
import { pipeline } from '../../src/resilience/pipeline.js';
import { deferred } from '../support/deferred.js';

/** Lets pending promise continuations run (no wall-clock time passes that matters to the code under test). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('bulkhead', () => {
  it('runs at most maxConcurrent calls and rejects the next one at once, without a stack', async () => {
    const policy = bulkhead({ name: 'db', maxConcurrent: 2 });
    const gate = deferred();
    const a = policy.execute(() => gate.promise.then(() => 'a'));
    const b = policy.execute(() => gate.promise.then(() => 'b'));
    expect(policy.inflight).toBe(2);

    const error = await policy.execute(() => 'c').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BulkheadRejectedError);
    expect(isBulkheadRejectedError(error)).toBe(true);
    expect((error as BulkheadRejectedError).limit).toBe(2);
    expect((error as Error).stack).not.toContain('\n    at ');

    gate.resolve();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(policy.inflight).toBe(0);
    expect(policy.outcomes).toEqual({ success: 2, failure: 0, rejected: 1 });
  });

  it('frees the slot when the function throws, synchronously or not', async () => {
    const policy = bulkhead({ maxConcurrent: 1 });
    await expect(
      policy.execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(policy.execute(() => Promise.reject(new Error('async')))).rejects.toThrow('async');
    expect(policy.inflight).toBe(0);
    await expect(policy.execute(() => 'ok')).resolves.toBe('ok');
    expect(policy.outcomes).toEqual({ success: 1, failure: 2, rejected: 0 });
  });

  it('queues up to maxQueue calls and starts them first in, first out', async () => {
    const clock = new ManualClock();
    const policy = bulkhead({ maxConcurrent: 1, maxQueue: 2, clock });
    const started: string[] = [];
    const work = (id: string, ms: number) => () => {
      started.push(id);
      return clock.sleep(ms).then(() => id);
    };
    const a = policy.execute(work('a', 100));
    const b = policy.execute(work('b', 100));
    const c = policy.execute(work('c', 100));
    await expect(policy.execute(work('d', 100))).rejects.toBeInstanceOf(BulkheadRejectedError);
    expect(policy.queued).toBe(2);
    expect(started).toEqual(['a']);

    await clock.advance(100);
    expect(await a).toBe('a');
    expect(started).toEqual(['a', 'b']);
    // The queue has room again; the newcomer goes behind c.
    const e = policy.execute(work('e', 100));
    expect(policy.queued).toBe(2);

    await clock.advance(300);
    expect(await Promise.all([b, c, e])).toEqual(['b', 'c', 'e']);
    expect(started).toEqual(['a', 'b', 'c', 'e']);
    expect(policy.inflight).toBe(0);
    expect(policy.queued).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('takes a queued call out of the queue when its caller aborts, with the abort reason', async () => {
    const policy = bulkhead({ maxConcurrent: 1, maxQueue: 2 });
    const gate = deferred();
    const running = policy.execute(() => gate.promise);
    const controller = new AbortController();
    let ran = false;
    const queued = policy.execute(
      () => {
        ran = true;
      },
      { signal: controller.signal },
    );
    const next = policy.execute(() => 'next');
    expect(policy.queued).toBe(2);

    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    expect(policy.queued).toBe(1);

    gate.resolve();
    await running;
    expect(await next).toBe('next');
    expect(ran).toBe(false);
    expect(policy.outcomes).toEqual({ success: 2, failure: 0, rejected: 1 });
  });

  it('takes a queued call out of the queue when an outer policy aborts its context (a timeout)', async () => {
    const clock = new ManualClock();
    const policy = bulkhead({ maxConcurrent: 1, maxQueue: 1, clock });
    const gate = deferred();
    const running = policy.execute(() => gate.promise);
    const context = CallContext.root(undefined);
    const timedOut = new TimeoutError('outer', 50);
    // What a timeout policy wrapping the bulkhead does: abort the context when its timer fires.
    clock.setTimer(() => context.abort(timedOut), 50);
    const queued = policy.run(() => 'late', context);
    const settled = queued.catch((e: unknown) => e);

    await clock.advance(49);
    expect(policy.queued).toBe(1);
    await clock.advance(1);
    expect(await settled).toBe(timedOut);
    expect(policy.queued).toBe(0);

    gate.resolve();
    await running;
    expect(policy.inflight).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects a call that must queue when its context is already aborted', async () => {
    const policy = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const gate = deferred();
    const running = policy.execute(() => gate.promise);
    const reason = new Error('already gone');
    await expect(policy.execute(() => 'never', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(policy.queued).toBe(0);
    gate.resolve();
    await running;
  });

  it('never reads the context signal on the fast path', async () => {
    class CountingContext extends CallContext {
      signalReads = 0;
      override get signal(): AbortSignal {
        this.signalReads++;
        return super.signal;
      }
    }
    const policy = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const fast = new CountingContext(undefined, undefined, 1, Number.POSITIVE_INFINITY);
    const gate = deferred();
    const running = policy.run(() => gate.promise, fast);
    const queuedContext = new CountingContext(undefined, undefined, 1, Number.POSITIVE_INFINITY);
    const queued = policy.run(() => 'queued', queuedContext);
    gate.resolve();
    await running;
    expect(await queued).toBe('queued');
    expect(fast.signalReads).toBe(0);
    expect(queuedContext.signalReads).toBeGreaterThan(0);
  });

  it('rejects queued calls with PolicyDisposedError on dispose, lets running ones finish, and refuses new ones', async () => {
    const policy = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const gate = deferred<string>();
    const running = policy.execute(() => gate.promise);
    const queued = policy.execute(() => 'queued');

    policy.dispose();
    await expect(queued).rejects.toBeInstanceOf(PolicyDisposedError);
    expect(policy.queued).toBe(0);
    gate.resolve('done');
    expect(await running).toBe('done');
    expect(policy.inflight).toBe(0);
    await expect(policy.execute(() => 'after')).rejects.toBeInstanceOf(PolicyDisposedError);
  });

  it('emits onReject with the state that made it shed, until unsubscribed', async () => {
    const policy = bulkhead({ name: 'db', maxConcurrent: 1, maxQueue: 1 });
    const seen: BulkheadRejection[] = [];
    const subscription = policy.onReject((event) => seen.push(event));
    const gate = deferred();
    const running = policy.execute(() => gate.promise);
    const queued = policy.execute(() => undefined);
    await expect(policy.execute(() => undefined)).rejects.toBeInstanceOf(BulkheadRejectedError);
    subscription.dispose();
    await expect(policy.execute(() => undefined)).rejects.toBeInstanceOf(BulkheadRejectedError);
    expect(seen).toEqual([{ name: 'db', inflight: 1, queued: 1 }]);
    gate.resolve();
    await Promise.all([running, queued]);
  });

  it.each([
    [{}, 'maxConcurrent', 'is required'],
    [{ maxConcurrent: 0 }, 'maxConcurrent', 'between 1'],
    [{ maxConcurrent: 1.5 }, 'maxConcurrent', 'integer'],
    [{ maxConcurrent: '4' }, 'maxConcurrent', 'number'],
    [{ maxConcurrent: 1, maxQueue: -1 }, 'maxQueue', 'between 0'],
    [{ maxConcurrent: 1, maxQueue: 0.5 }, 'maxQueue', 'integer'],
  ])('rejects invalid options %j naming %s', (options, option, detail) => {
    const build = () => bulkhead(options as never);
    expect(build).toThrow(InvalidOptionError);
    expect(build).toThrow(`bulkhead: option "${option}"`);
    expect(build).toThrow(detail);
  });

  it('exports outcomes from zero and the inflight and queued gauges', async () => {
    const registry = new Registry();
    const policy = bulkhead({ name: 'db', maxConcurrent: 1, maxQueue: 1, metrics: registry });
    expect(await registry.metrics()).toContain('resilience_calls_total{policy="bulkhead",name="db",outcome="rejected"} 0');

    const gate = deferred();
    const running = policy.execute(() => gate.promise);
    const queued = policy.execute(() => undefined);
    await expect(policy.execute(() => undefined)).rejects.toBeInstanceOf(BulkheadRejectedError);
    let text = await registry.metrics();
    expect(text).toContain('resilience_calls_total{policy="bulkhead",name="db",outcome="rejected"} 1');
    expect(text).toContain('resilience_bulkhead_inflight{name="db"} 1');
    expect(text).toContain('resilience_bulkhead_queued{name="db"} 1');

    gate.resolve();
    await Promise.all([running, queued]);
    await expect(policy.execute(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    text = await registry.metrics();
    expect(text).toContain('resilience_calls_total{policy="bulkhead",name="db",outcome="success"} 2');
    expect(text).toContain('resilience_calls_total{policy="bulkhead",name="db",outcome="failure"} 1');
    expect(text).toContain('resilience_bulkhead_inflight{name="db"} 0');
    expect(text).toContain('resilience_bulkhead_queued{name="db"} 0');

    policy.dispose();
    expect(await registry.metrics()).not.toContain('name="db"');
  });

  it('composes in a pipeline: a fallback outside answers for a shed call', async () => {
    const shed = bulkhead({ name: 'db', maxConcurrent: 1 });
    const outer = fallback<string>({ fn: (cause) => (isBulkheadRejectedError(cause) ? 'cached' : 'other') });
    const policy = pipeline(outer, shed);
    const gate = deferred<string>();
    const running = policy.execute(() => gate.promise);
    await flush();
    expect(await policy.execute(() => 'fresh')).toBe('cached');
    gate.resolve('fresh');
    expect(await running).toBe('fresh');
    expect(shed.outcomes).toEqual({ success: 1, failure: 0, rejected: 1 });
    expect(outer.outcomes).toEqual({ success: 1, fallback: 1, failure: 0 });
  });
});
