/**
 * @module
 * A monkey command's run: the resolved configuration, the engine's fault run (state store → reverter of leftovers
 * → outage check → provider → safety pipeline), and its events narrated on standard error.
 */
import type { SimianConfig } from '../../config/simian-config.js';
import { EngineEvents } from '../../engine/events.js';
import { openFaultRun, type FaultRun } from '../../engine/fault-run.js';
import type { SafetyConfig } from '../../monkeys/safety/safety-config.js';
import type { SafetyPipeline } from '../../monkeys/safety/safety-pipeline.js';
import type { Provider } from '../../providers/provider.js';
import type { CommandDeps } from '../command-deps.js';
import { resolveCommandConfig } from '../commands/config.js';
import { renderEvents } from '../render-events.js';
import type { CommonMonkeyFlags } from './common-options.js';

/** An open monkey run: close it in a `finally`. */
export interface MonkeySession {
  readonly simian: SimianConfig;
  readonly config: SafetyConfig;
  readonly events: EngineEvents;
  readonly run: FaultRun;
  readonly provider: Provider;
  readonly pipeline: SafetyPipeline;
  close(): Promise<void>;
}

/**
 * Resolves the configuration and opens the engine's run, which builds the provider first (no stack running, a
 * bad kubeconfig: refused before anything is opened). `detach` leaves its faults to their TTL: no owner is recorded.
 */
export async function openMonkeySession(deps: CommandDeps, flags: CommonMonkeyFlags & { detach?: boolean }): Promise<MonkeySession> {
  const simian = await resolveCommandConfig(flags);
  const events = new EngineEvents();
  const rendering = renderEvents(events, deps.writeErr);
  try {
    const run = await openFaultRun({
      config: simian,
      providers: deps.providers,
      clock: deps.clock,
      random: deps.random,
      events,
      providersFirst: [flags.provider],
      ...(flags.detach ? {} : { ownerPid: deps.pid }),
    });
    const provider = run.provider(flags.provider);
    return {
      simian,
      config: simian.safety,
      events,
      run,
      provider,
      pipeline: run.pipeline(provider),
      close: async () => {
        await run.close();
        rendering.dispose();
      },
    };
  } catch (error) {
    rendering.dispose();
    throw error;
  }
}
