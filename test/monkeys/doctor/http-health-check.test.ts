import { createAdaptorServer } from '@hono/node-server';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import type { Instance } from '../../../src/core/model.js';
import { DoctorMonkey } from '../../../src/monkeys/doctor/doctor-monkey.js';
import { httpHealthCheck } from '../../../src/monkeys/doctor/http-health-check.js';
import { MemoryProvider } from '../../../src/providers/memory/memory-provider.js';
import { createServiceApp } from '../../../src/reference-stack/service-kit/service-app.js';
import { deferred } from '../../support/deferred.js';
import { instance } from '../safety/harness.js';
import { loopbackServers } from '../../support/loopback-servers.js';

const { listen, closeAll } = loopbackServers();

// Runs even when a test failed: every server and connection (the hung one too) goes.
afterEach(closeAll);

/** A reference-stack service app, as every instance serves it (`/health` 200 JSON, or 503 when unwell). */
function serviceApp(ok = true): Promise<string> {
  const { app } = createServiceApp({
    identity: { service: 'catalog', region: 'us-east', zone: 'us-east-1a', instanceId: 'catalog-us-east-1a-0' },
    routes: () => undefined,
    health: () => ({ ok }),
  });
  return listen(createAdaptorServer({ fetch: app.fetch }) as Server);
}

function plain(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  return listen(createServer(handler));
}

/** A port that was just free: nothing listens there, connections are refused. */
async function closedPort(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function at(id: string, address: string | undefined): Instance {
  return instance(id, 'catalog', address === undefined ? {} : { address });
}

describe('httpHealthCheck through DoctorMonkey.examine (real loopback servers)', () => {
  it('healthy on 200, sick on 500 and 503, on no answer within the timeout and on a refused connection', async () => {
    const clock = new ManualClock();
    const hungArrived = deferred();
    const instances = [
      at('ok-0', await serviceApp()),
      at('ok-1', await serviceApp()),
      at('error-500', await plain((_req, res) => res.writeHead(500).end('boom'))),
      at('unwell-503', await serviceApp(false)),
      at('hung', await plain(() => hungArrived.resolve())),
      at('refused', await closedPort()),
    ];
    const doctor = new DoctorMonkey({
      inventory: new MemoryProvider({ instances }).inventory,
      clock,
      checks: [httpHealthCheck()],
      checkTimeoutMs: 750,
      // One instance at a time: when the hung one is asked, its timer is the only one the clock holds.
      concurrency: 1,
    });
    const examined = doctor.examine();
    await hungArrived.promise;
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(750);
    const report = await examined;

    const byId = Object.fromEntries(report.instances.map((i) => [i.id, i]));
    expect(Object.fromEntries(report.instances.map((i) => [i.id, i.verdict]))).toEqual({
      'ok-0': 'healthy',
      'ok-1': 'healthy',
      'error-500': 'sick',
      'unwell-503': 'sick',
      hung: 'sick',
      refused: 'sick',
    });
    expect(byId['ok-0']!.findings).toEqual([{ check: 'health', ok: true, detail: `${instances[0]!.address}/health answered HTTP 200` }]);
    expect(byId['error-500']!.findings[0]!.detail).toMatch(/answered HTTP 500$/);
    expect(byId['unwell-503']!.findings[0]!.detail).toMatch(/answered HTTP 503$/);
    expect(byId.hung!.findings[0]!.detail).toMatch(/did not answer within 750 ms$/);
    expect(byId.refused!.findings[0]!.detail).toMatch(/connection refused$/);
    expect(report.totals).toEqual({ examined: 6, healthy: 2, sick: 4, unknown: 0 });
    expect(clock.pendingTimers).toBe(0);
  });

  it('passes a redirect (like a Kubernetes httpGet probe) without following it', async () => {
    let followed = false;
    const address = await plain((req, res) => {
      if (req.url === '/elsewhere') followed = true;
      res.writeHead(302, { location: '/elsewhere' }).end();
    });
    const doctor = new DoctorMonkey({ inventory: new MemoryProvider({ instances: [at('moved', address)] }).inventory, clock: new ManualClock(), checks: [httpHealthCheck()] });
    const report = await doctor.examine();
    expect(report.instances[0]).toMatchObject({ verdict: 'healthy', findings: [{ ok: true, detail: `${address}/health answered HTTP 302` }] });
    expect(followed).toBe(false);
  });

  it('cannot tell (unknown, never sick) when the instance has no address, or one that is not a URL', async () => {
    const doctor = new DoctorMonkey({
      inventory: new MemoryProvider({ instances: [at('nowhere', undefined), at('garbled', 'not a url')] }).inventory,
      clock: new ManualClock(),
      checks: [httpHealthCheck()],
    });
    const report = await doctor.examine();
    expect(report.instances.map((i) => [i.id, i.verdict, i.findings[0]!.ok, i.findings[0]!.detail])).toEqual([
      ['nowhere', 'unknown', 'unknown', 'the instance has no address to check'],
      ['garbled', 'unknown', 'unknown', 'the address not a url is not a URL'],
    ]);
  });

  it('cannot tell when the failure is on the doctor’s side (a name that does not resolve)', async () => {
    const dnsFailure = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' }) });
    const check = httpHealthCheck({ fetch: async () => Promise.reject(dnsFailure) });
    const doctor = new DoctorMonkey({ inventory: new MemoryProvider({ instances: [at('x', 'http://nowhere.invalid')] }).inventory, clock: new ManualClock(), checks: [check] });
    const report = await doctor.examine();
    expect(report.instances[0]).toMatchObject({ verdict: 'unknown', findings: [{ ok: 'unknown', detail: 'cannot check http://nowhere.invalid/health: ENOTFOUND' }] });
  });

  it('uses the path it is given', async () => {
    const paths: string[] = [];
    const address = await plain((req, res) => {
      paths.push(req.url ?? '');
      res.end('ok');
    });
    const doctor = new DoctorMonkey({
      inventory: new MemoryProvider({ instances: [at('x', address)] }).inventory,
      clock: new ManualClock(),
      checks: [httpHealthCheck({ path: '/ready' })],
    });
    expect((await doctor.examine()).totals.healthy).toBe(1);
    expect(paths).toEqual(['/ready']);
  });
});
