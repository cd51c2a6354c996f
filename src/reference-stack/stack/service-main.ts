/**
 * @module
 * The entry module of every reference-stack instance process: builds the service its identity names, runs it
 * under the supervisor's instance runtime, points its proxy at the port it got, and registers it in discovery
 * under the proxied address (so network faults on the proxy reach everyone who calls it).
 */
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:net';
import { systemClock } from '../../core/clock.js';
import { createLogger } from '../../core/logger.js';
import { readInstanceLaunchInfo, runInstance } from '../supervisor/instance-runtime.js';
import { createHttpFetch } from '../service-kit/http-fetch.js';
import { buildService } from './build-service.js';
import { parseStackInstanceConfig } from './stack-config.js';
import { STARTUP_CALL_TIMEOUT_MS } from './toxiproxy-admin.js';

const launch = readInstanceLaunchInfo();
const { identity } = launch;
const config = parseStackInstanceConfig(launch.config);
// Node's fetch would load undici's client and compile its WebAssembly HTTP parser in every instance, for this
// one call; the services already speak node:http (service-kit/http-fetch.ts).
const proxyAdminFetch = createHttpFetch({ maxSockets: 1 });
const logger = createLogger({ bindings: { instance: identity.instanceId }, level: 'warn' });
// Start-up awaits requests (discovery, peers) that may hold no referenced handle of their own; without this the
// process could find its event loop empty mid-start and exit with an unsettled top-level await (code 13).
const startUp = systemClock.setTimer(() => undefined, 120_000, { keepAlive: true });
const service = await buildService(identity, config, { clock: systemClock, logger });
// A replacement registers under a new id (like a new EC2 instance in an ASG), so discovery evicts the dead one.
const registrationId = `${identity.instanceId}@${process.pid}`;

await runInstance({
  launch,
  server: createAdaptorServer({ fetch: service.app.fetch }) as Server,
  // Ready means reachable: the proxy points here and discovery knows the proxied address.
  onListening: async (port) => {
    if (config.toxiproxyUrl && config.proxyName && config.publicAddress) {
      // Only the upstream moves: a replacement started inside a zone that Chaos Gorilla has cut off (its proxy
      // disabled) stays cut off until the fault is reverted, as a new instance in a partitioned AZ would.
      const response = await proxyAdminFetch(new URL(`/proxies/${encodeURIComponent(config.proxyName)}`, config.toxiproxyUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ listen: new URL(config.publicAddress).host, upstream: `127.0.0.1:${port}` }),
        // A Toxiproxy that never answers fails this start (the supervisor then tries again) rather than hold it.
        signal: AbortSignal.timeout(STARTUP_CALL_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`could not point proxy ${config.proxyName} at port ${port}: HTTP ${response.status}`);
    }
    await service.registrar?.register({
      instanceId: registrationId,
      service: identity.service,
      region: identity.region,
      zone: identity.zone,
      address: config.publicAddress ?? `http://127.0.0.1:${port}`,
    });
  },
  beforeClose: async () => {
    // Leave discovery first, so callers stop choosing this instance before it stops answering.
    await service.close();
  },
});
startUp.cancel();
