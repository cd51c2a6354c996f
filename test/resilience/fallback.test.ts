import { describe, expect, it } from 'vitest';
import { fallback } from '../../src/resilience/index.js';

describe('fallback', () => {
  it('answers a failed call with the value', async () => {
    const policy = fallback({ value: ['trending'] });
    await expect(policy.execute(() => Promise.reject(new Error('down')))).resolves.toEqual(['trending']);
    await expect(policy.execute(() => ['personal'])).resolves.toEqual(['personal']);
    expect(policy.outcomes).toEqual({ success: 1, fallback: 1, failure: 0 });
  });

  it('computes the answer from the cause', async () => {
    const policy = fallback({ fn: (cause) => `cached because ${(cause as Error).message}` });
    await expect(policy.execute(() => Promise.reject(new Error('timeout')))).resolves.toBe('cached because timeout');
  });

  it('rethrows what it does not handle, and what the fallback itself throws', async () => {
    const picky = fallback({ value: 0, handles: (e) => (e as Error).message === 'soft' });
    await expect(picky.execute(() => Promise.reject(new Error('hard')))).rejects.toThrow('hard');
    const broken = fallback({
      fn: () => {
        throw new Error('cache empty');
      },
    });
    await expect(broken.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('cache empty');
    expect(broken.outcomes.failure).toBe(1);
  });

  it('does not answer a caller who aborted', async () => {
    const policy = fallback({ value: 'stale' });
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(policy.execute(() => Promise.reject(new Error('aborted')), { signal: controller.signal })).rejects.toThrow('aborted');
  });

  it('needs exactly one of value and fn', () => {
    expect(() => fallback({})).toThrow(/fallback: option "value" or "fn" is required/);
    expect(() => fallback({ value: 1, fn: () => 2 })).toThrow(/cannot be given together/);
  });
});
