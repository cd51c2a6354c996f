/**
 * @module
 * Builds the app of any reference-stack service from its identity and the stack's settings: the one place that
 * knows which factory serves which service and what each needs (discovery, the secret, a database).
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { DiscoveryClient } from '../discovery/discovery-client.js';
import type { ServiceIdentity } from '../service-kit/identity.js';
import type { ServiceApp } from '../service-kit/service-app.js';
import type { StackInstanceConfig } from './stack-config.js';

/** A built service: its app, the discovery clients it owns, and what to close at shutdown. */
export interface BuiltService {
  readonly app: ServiceApp['app'];
  /** Registers this instance (absent for discovery itself and the front door, which nobody looks up). */
  readonly registrar: DiscoveryClient | undefined;
  /** Stops discovery clients and closes stores. */
  close(): Promise<void>;
}

/**
 * Builds the service `identity.service`. Discovery clients are started, so lookups work once this resolves.
 *
 * Each service's code is imported only by the process that runs it: an instance that loaded every service (billing's
 * SQLite, the gateway's JWT checks, discovery's registry) took 150 ms and 67 MB before serving anything, times
 * every process of the stack.
 */
export async function buildService(
  identity: ServiceIdentity,
  config: StackInstanceConfig,
  deps: { clock: Clock; logger: Logger },
): Promise<BuiltService> {
  const clients: DiscoveryClient[] = [];
  const discoveryOf = async (region: string): Promise<DiscoveryClient> => {
    const urls = config.discoveryUrls[region];
    if (!urls) throw new Error(`stack config: discoveryUrls has no entry for region "${region}"`);
    const client = new DiscoveryClient({ discoveryUrls: urls, clock: deps.clock, logger: deps.logger, stackToken: config.stackToken });
    clients.push(client);
    await client.start();
    return client;
  };
  const closeClients = async (): Promise<void> => {
    await Promise.all(clients.map((c) => c.stop()));
  };

  if (identity.service === 'discovery') {
    const [{ createDiscoveryService }, { warmUpFromPeers }] = await Promise.all([import('../discovery/discovery-service.js'), import('../discovery/registry-warm-up.js')]);
    const discovery = createDiscoveryService({ identity, clock: deps.clock, stackToken: config.stackToken });
    const peers = config.warmUp === false ? [] : (config.discoveryUrls[identity.region] ?? []).filter((url) => url !== config.publicAddress);
    await warmUpFromPeers(discovery.registry, peers, { clock: deps.clock });
    return { app: discovery.app, registrar: undefined, close: closeClients };
  }
  if (identity.service === 'frontdoor') {
    const { createFrontDoorService } = await import('../frontdoor/frontdoor-service.js');
    const regions = await Promise.all(config.regions.map(async (name) => ({ name, discovery: await discoveryOf(name) })));
    const evacuation = config.evacuation ? { evacuation: config.evacuation } : {};
    return { app: createFrontDoorService({ identity, regions, stackToken: config.stackToken, clock: deps.clock, ...evacuation }).app, registrar: undefined, close: closeClients };
  }

  const discovery = await discoveryOf(identity.region);
  const common = { identity, clock: deps.clock };
  let close = closeClients;
  let app: ServiceApp['app'];
  switch (identity.service) {
    case 'gateway': {
      const { createGatewayService } = await import('../gateway/gateway-service.js');
      app = createGatewayService({ ...common, discovery, tokenSecret: config.tokenSecret, stackToken: config.stackToken }).app;
      break;
    }
    case 'user': {
      const { createUserService } = await import('../services/user-service.js');
      app = createUserService({ ...common, tokenSecret: config.tokenSecret, regions: config.regions }).app;
      break;
    }
    case 'catalog':
      app = (await import('../services/catalog-service.js')).createCatalogService(common).app;
      break;
    case 'recommendation':
      app = (await import('../services/recommendation-service.js')).createRecommendationService({ ...common, discovery }).app;
      break;
    case 'playback':
      app = (await import('../services/playback-service.js')).createPlaybackService({ ...common, discovery }).app;
      break;
    case 'edge':
      app = (await import('../services/edge-service.js')).createEdgeService({ ...common, discovery }).app;
      break;
    case 'origin':
      app = (await import('../services/origin-service.js')).createOriginService(common).app;
      break;
    case 'billing': {
      const [{ createBillingService }, { billingLedgerPath }] = await Promise.all([import('../services/billing-service.js'), import('../services/billing-store.js')]);
      const billing = createBillingService({ ...common, databasePath: billingLedgerPath(config.dataDir), stackToken: config.stackToken });
      app = billing.app;
      close = async () => {
        await closeClients();
        billing.store.close();
      };
      break;
    }
  }
  return { app, registrar: discovery, close };
}
