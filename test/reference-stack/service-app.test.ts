import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { createServiceApp } from '../../src/reference-stack/service-kit/service-app.js';
import type { ServiceIdentity } from '../../src/reference-stack/service-kit/identity.js';

const identity: ServiceIdentity = { service: 'catalog', region: 'us-east', zone: 'us-east-1a', instanceId: 'catalog-us-east-1a-0' };

describe('service app', () => {
  const build = (healthy = true) =>
    createServiceApp({
      identity,
      clock: new ManualClock(),
      health: () => ({ ok: healthy }),
      routes: (app) => {
        app.get('/titles/:id', (c) => c.json({ id: c.req.param('id') }));
        app.get('/boom', () => {
          throw new Error('boom');
        });
      },
    });

  it('answers /health with its identity, and 503 when unhealthy', async () => {
    const ok = await build().app.request('/health');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok', service: 'catalog', zone: 'us-east-1a' });
    expect((await build(false).app.request('/health')).status).toBe(503);
  });

  it('counts requests by route pattern, with region, zone and instance labels', async () => {
    const { app, context } = build();
    await app.request('/titles/1');
    await app.request('/titles/2');
    await app.request('/boom');
    await app.request('/nowhere');
    const text = await context.registry.metrics();
    const base = 'region="us-east",zone="us-east-1a",instance="catalog-us-east-1a-0"';
    expect(text).toContain(`http_requests_total{service="catalog",route="/titles/:id",method="GET",code="200",${base}} 2`);
    expect(text).toContain(`http_requests_total{service="catalog",route="/boom",method="GET",code="500",${base}} 1`);
    expect(text).toContain(`http_requests_total{service="catalog",route="unmatched",method="GET",code="404",${base}} 1`);
    expect(text).toContain(`http_request_duration_seconds_count{${base},service="catalog",route="/titles/:id",method="GET"} 2`);
  });

  it('exports every route\'s error series at 0 before the first request', async () => {
    const { context } = build();
    const text = await context.registry.metrics();
    expect(text).toContain('http_requests_total{service="catalog",route="/titles/:id",method="GET",code="500",');
    expect(text).toContain('http_requests_total{service="catalog",route="/titles/:id",method="GET",code="503",');
  });

  it('serves metrics that promtool accepts', async () => {
    const { app } = build();
    await app.request('/titles/1');
    const text = await (await app.request('/metrics')).text();
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  });
});
