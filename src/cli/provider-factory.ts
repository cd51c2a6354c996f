/**
 * @module
 * Builds a provider by name from the settings of one run (flags over environment over `simian.yaml`). The
 * reverter uses it too, to undo a fault recorded by another process with nothing but the provider's name.
 */
import { SimianError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { Random } from '../core/random.js';
import { TARGET_GONE } from '../monkeys/revert/fault-reverter.js';
import { LocalProvider } from '../providers/local/local-provider.js';
import type { Provider } from '../providers/provider.js';
import { HttpTrafficShift } from '../providers/toxiproxy/http-traffic-shift.js';
import { ToxiproxyProvider } from '../providers/toxiproxy/toxiproxy-provider.js';
import { isAlive, readStackState } from '../reference-stack/stack/stack-state.js';

/** The providers `--provider` accepts. */
export const PROVIDER_NAMES = ['local', 'toxiproxy'] as const;

/** Where each provider is found. */
export interface ProviderSettings {
  /** The state directory of the running reference stack (local provider). */
  readonly stateDir: string;
  /** A Toxiproxy admin API for the toxiproxy provider. @default the running stack's */
  readonly toxiproxyUrl?: string;
  /** An HTTP traffic-shift hook for Chaos Kong where the platform has none. */
  readonly trafficShiftUrl?: string;
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

/**
 * The provider called `name`.
 *
 * @throws {SimianError} `stack.notRunning` when the local stack is not up, `cli.unknownProvider`.
 */
export function createProvider(name: string, settings: ProviderSettings, deps: ProviderDeps): Provider {
  const trafficShift = settings.trafficShiftUrl ? { trafficShift: new HttpTrafficShift(settings.trafficShiftUrl) } : {};
  switch (name) {
    case 'local': {
      const state = runningStack(settings.stateDir);
      return new LocalProvider({
        adminUrl: state.adminUrl,
        toxiproxyUrl: state.toxiproxyUrl,
        ...(state.frontDoorUrl ? { frontDoorUrl: state.frontDoorUrl } : {}),
        random: deps.random,
      });
    }
    case 'toxiproxy': {
      const url = settings.toxiproxyUrl ?? runningStack(settings.stateDir).toxiproxyUrl;
      return new ToxiproxyProvider({ url, random: deps.random, ...trafficShift });
    }
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
