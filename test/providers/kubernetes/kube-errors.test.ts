import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { isSimianError } from '../../../src/core/errors.js';
import { ManualClock } from '../../../src/core/manual-clock.js';
import { toProviderError } from '../../../src/providers/kubernetes/kube-errors.js';
import { retryAfterMs, withKubeRetry } from '../../../src/providers/kubernetes/kube-retry.js';

function apiException(code: number, body: unknown, headers: Record<string, string> = {}): ApiException<unknown> {
  return new ApiException(code, 'Unknown API Status Code!', typeof body === 'string' ? body : JSON.stringify(body), headers);
}

describe('error mapping and retries', () => {
  it('maps API answers and network failures to provider codes', () => {
    const action = { verb: 'delete', resource: 'pods', namespace: 'ns', name: 'p' };
    expect(toProviderError(apiException(404, { reason: 'NotFound', message: 'pods "p" not found' }), action).code).toBe('provider.notFound');
    expect(toProviderError(apiException(404, {}), { ...action, notFoundCode: 'provider.instanceGone' }).code).toBe('provider.instanceGone');
    expect(toProviderError(apiException(409, { reason: 'Conflict' }), action).code).toBe('provider.conflict');
    expect(toProviderError(apiException(502, '<html>bad gateway</html>'), action).code).toBe('provider.unavailable');
    expect(toProviderError(apiException(422, { message: 'invalid' }), action).code).toBe('provider.apiError');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(toProviderError(refused, action).code).toBe('provider.unreachable');
    const other = toProviderError(new Error('exec plugin failed'), action);
    expect(other.code).toBe('provider.kubernetesError');
    expect(other.cause).toBeInstanceOf(Error);
  });

  it('reads Retry-After as seconds, as an HTTP date, or from the Status details', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(retryAfterMs(apiException(429, {}, { 'retry-after': '7' }), now)).toBe(7000);
    expect(retryAfterMs(apiException(429, {}, { 'retry-after': new Date(now + 3000).toUTCString() }), now)).toBe(3000);
    expect(retryAfterMs(apiException(429, { details: { retryAfterSeconds: 2 } }), now)).toBe(2000);
    expect(retryAfterMs(apiException(429, {}), now)).toBeUndefined();
  });

  it('does not retry what will not change (4xx other than 429, 501, non-API errors)', async () => {
    const clock = new ManualClock();
    for (const error of [apiException(400, {}), apiException(501, {}), new Error('boom')]) {
      let calls = 0;
      const failure = await withKubeRetry(clock, { attempts: 5 }, { verb: 'get', resource: 'pods' }, async () => {
        calls++;
        throw error;
      }).catch((e: unknown) => e);
      expect(isSimianError(failure)).toBe(true);
      expect(calls).toBe(1);
    }
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not retry a 429 when told not to', async () => {
    let calls = 0;
    const failure = await withKubeRetry(
      new ManualClock(),
      {},
      { verb: 'create', resource: 'pods/eviction' },
      async () => {
        calls++;
        throw apiException(429, {});
      },
      { retryTooManyRequests: false },
    ).catch((e: unknown) => e);
    expect(isSimianError(failure, 'provider.throttled')).toBe(true);
    expect(calls).toBe(1);
  });
});
