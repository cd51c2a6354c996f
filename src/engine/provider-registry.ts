/**
 * @module
 * The provider registry: builds a provider by name from the resolved configuration (flags over environment over
 * `simian.yaml`). The reverter uses it too, to undo a fault recorded by another process with nothing but the
 * provider's name. Front ends take a {@link ProviderRegistry}, so tests can hand them an in-memory platform.
 */
import type { Clock } from '../core/clock.js';
import { SimianError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import { DEFAULT_TOXIPROXY_URL, type AwsProviderConfig, type KubernetesProviderConfig, type SimianConfig } from '../config/simian-config.js';
import { TARGET_GONE } from '../monkeys/revert/fault-reverter.js';
import { LocalProvider } from '../providers/local/local-provider.js';
import type { Provider } from '../providers/provider.js';
import type * as CloudProviders from './cloud-providers.js';
import { HttpTrafficShift } from '../providers/toxiproxy/http-traffic-shift.js';
import { ToxiproxyProvider } from '../providers/toxiproxy/toxiproxy-provider.js';
import { isAlive, readStackState } from '../reference-stack/stack/stack-state.js';
import { readStackToken } from '../reference-stack/stack/stack-token.js';

/** The providers `--provider` accepts. */
export const PROVIDER_NAMES = ['local', 'toxiproxy', 'kubernetes', 'aws'] as const;

/** Where each provider is found: the `providers` section of the config, and the state directory. */
export interface ProviderSettings {
  /** The state directory of the running reference stack (local provider). */
  readonly stateDir: string;
  /** The Toxiproxy admin API of the toxiproxy provider; the default address yields to a running stack's proxy. */
  readonly toxiproxyUrl?: string;
  /** An HTTP traffic-shift hook for Chaos Kong where the platform has none. */
  readonly trafficShiftUrl?: string;
  readonly kubernetes?: KubernetesProviderConfig;
  readonly aws?: AwsProviderConfig;
}

/** What providers need from the program. */
export interface ProviderDeps {
  readonly clock: Clock;
  readonly random: Random;
}

function runningStack(stateDir: string) {
  const state = readStackState(stateDir);
  if (!isAlive(state.pid)) {
    throw new SimianError('stack.notRunning', `the stack (pid ${state.pid}) is no longer running; start one with "simian stack up"`);
  }
  return state;
}

/** The configured Toxiproxy, except that the default address gives way to a running stack's own proxy. */
function toxiproxyUrl(settings: ProviderSettings): string {
  if (settings.toxiproxyUrl !== undefined && settings.toxiproxyUrl !== DEFAULT_TOXIPROXY_URL) return settings.toxiproxyUrl;
  try {
    return runningStack(settings.stateDir).toxiproxyUrl;
  } catch {
    return settings.toxiproxyUrl ?? DEFAULT_TOXIPROXY_URL;
  }
}

type CloudFactories = typeof CloudProviders;

/** The Kubernetes and AWS providers' factories, once {@link loadCloudProviders} has loaded them. */
let cloud: CloudFactories | undefined;

/** The providers whose modules load on demand: their clients take 0.4 s each, which every command paid up front. */
export const CLOUD_PROVIDERS: readonly string[] = ['kubernetes', 'aws'];

/**
 * Loads the Kubernetes and AWS providers' modules, when any of `names` needs them; harmless to call again. A
 * registry's {@link ProviderRegistry.prepare} calls it, and the engine prepares every provider before it builds one.
 */
export async function loadCloudProviders(names: readonly string[] = CLOUD_PROVIDERS): Promise<void> {
  if (names.some((name) => CLOUD_PROVIDERS.includes(name))) cloud ??= await import('./cloud-providers.js');
}

function cloudFactories(name: string): CloudFactories {
  if (!cloud) throw new SimianError('provider.notLoaded', `the ${name} provider was built before its module was loaded (a bug: prepare the provider registry first)`);
  return cloud;
}

/**
 * The provider called `name`.
 *
 * @throws {SimianError} `stack.notRunning` when the local stack is not up, `provider.badKubeconfig`, `cli.unknownProvider`.
 */
export function createProvider(name: string, settings: ProviderSettings, deps: ProviderDeps): Provider {
  const trafficShift = settings.trafficShiftUrl ? { trafficShift: new HttpTrafficShift(settings.trafficShiftUrl) } : {};
  switch (name) {
    case 'local': {
      const state = runningStack(settings.stateDir);
      const stackToken = readStackToken(settings.stateDir);
      return new LocalProvider({
        adminUrl: state.adminUrl,
        toxiproxyUrl: state.toxiproxyUrl,
        // Evacuations go through the stack's admin API, which sends them to every front door.
        ...(state.frontDoorUrl ? { trafficShiftUrl: state.adminUrl } : {}),
        ...(stackToken ? { stackToken } : {}),
        random: deps.random,
      });
    }
    case 'toxiproxy': {
      const url = toxiproxyUrl(settings);
      return new ToxiproxyProvider({ url, random: deps.random, ...trafficShift });
    }
    case 'kubernetes':
      return cloudFactories(name).kubernetesProvider(settings.kubernetes, deps, trafficShift);
    case 'aws':
      return cloudFactories(name).awsProvider(settings.aws, deps, trafficShift);
    default:
      throw new SimianError('cli.unknownProvider', `unknown provider "${name}" (one of ${PROVIDER_NAMES.join(', ')})`, { exitCode: 2 });
  }
}

/**
 * The provider for a revert: a platform that no longer exists (the stack that held the proxies was stopped) is
 * reported as {@link TARGET_GONE}, so its faults are closed as gone rather than retried forever.
 */
export function providerForRevert(name: string, settings: ProviderSettings, deps: ProviderDeps): Provider {
  try {
    return createProvider(name, settings, deps);
  } catch (error) {
    if (error instanceof SimianError && error.code === 'stack.notRunning' && name === 'local') {
      throw new SimianError(TARGET_GONE, `the local stack is gone: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** Where the providers are, from the resolved config. */
export function providerSettings(config: SimianConfig): ProviderSettings {
  return {
    stateDir: config.stateDir,
    kubernetes: config.providers.kubernetes,
    aws: config.providers.aws,
    toxiproxyUrl: config.providers.toxiproxy.url,
    ...(config.providers.trafficShiftUrl ? { trafficShiftUrl: config.providers.trafficShiftUrl } : {}),
  };
}

/** Builds providers by name: the real platforms, or whatever a test hands a front end. */
export interface ProviderRegistry {
  /** The provider `name`, to act on. @throws SimianError as {@link createProvider} */
  create(name: string, settings: ProviderSettings): Provider;
  /** The provider `name`, to revert a recorded fault on (see {@link providerForRevert}). */
  forRevert(name: string, settings: ProviderSettings): Provider;
  /** Loads what building the providers `names` needs (modules loaded on demand); the engine awaits it first. */
  prepare?(names: readonly string[]): Promise<void>;
}

/** The registry of the real platforms. */
export function platformProviders(deps: ProviderDeps): ProviderRegistry {
  return {
    create: (name, settings) => createProvider(name, settings, deps),
    forRevert: (name, settings) => providerForRevert(name, settings, deps),
    prepare: (names) => loadCloudProviders(names),
  };
}
