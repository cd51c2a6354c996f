import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { createDiscoveryService } from '../../src/reference-stack/discovery/discovery-service.js';
import { MAX_REQUEST_BODY_BYTES } from '../../src/reference-stack/service-kit/service-app.js';
import { createBillingService } from '../../src/reference-stack/services/billing-service.js';
import { billingLedgerPath } from '../../src/reference-stack/services/billing-store.js';

const dirs: string[] = [];
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A JSON object of about `bytes` bytes: what the route expects, padded with a field it ignores. */
const padded = (fields: Record<string, unknown>, bytes: number) => JSON.stringify({ ...fields, padding: 'x'.repeat(bytes) });

/** The same body sent without a Content-Length, in chunks, as a streaming client would. */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, (offset += 16_384)));
    },
  });
}

describe('request bodies', () => {
  it('are bounded in every service: a body past the limit is refused with 413 and never reaches the route', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simian-body-'));
    dirs.push(dir);
    const clock = new ManualClock();
    const billing = createBillingService({
      identity: { service: 'billing', region: 'us-east', zone: 'us-east-1a', instanceId: 'billing-us-east-1a-0' },
      databasePath: billingLedgerPath(dir),
      clock,
    });
    closers.push(() => billing.store.close());
    const subscribe = (key: string, body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
      billing.app.request('/subscriptions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key, ...headers },
        body,
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);

    const huge = padded({ userId: 'viewer-1', plan: 'basic' }, 4 * MAX_REQUEST_BODY_BYTES);
    const refused = await subscribe('k1', huge);
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: string }).error).toContain(`${MAX_REQUEST_BODY_BYTES} bytes`);
    expect((await subscribe('k2', chunked(huge))).status).toBe(413);
    expect(billing.store.byUser('viewer-1')).toEqual([]);
    // Counted under the route like any other answer, so a flood of them shows on the dashboards.
    expect(await billing.context.registry.metrics()).toMatch(/http_requests_total\{[^}]*route="\/subscriptions"[^}]*code="413"[^}]*\} 2/);
    // Under the limit, the same route works.
    expect((await subscribe('k3', padded({ userId: 'viewer-1', plan: 'basic' }, MAX_REQUEST_BODY_BYTES / 2))).status).toBe(201);

    const discovery = createDiscoveryService({ identity: { service: 'discovery', region: 'us-east', zone: 'us-east-1a', instanceId: 'discovery-0' }, clock, stackToken: 'stack-token' });
    const registration = { instanceId: 'c1', service: 'catalog', region: 'us-east', zone: 'us-east-1a', address: 'http://127.0.0.1:4001' };
    const tooBig = await discovery.app.request('/v1/instances', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer stack-token' },
      body: chunked(padded(registration, 4 * MAX_REQUEST_BODY_BYTES)),
      duplex: 'half',
    } as RequestInit);
    expect(tooBig.status).toBe(413);
    expect(discovery.registry.list()).toEqual([]);
  });
});
