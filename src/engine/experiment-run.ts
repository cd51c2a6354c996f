/**
 * @module
 * What an experiment run needs from the world, wired once for every front end: providers of the configuration
 * (built when first named), the fault run (state store, reverter of leftovers, outage check, pipelines) only when
 * the method injects faults, the running stack's variables, the SLO sources (a Prometheus, or direct scrapes of
 * the running stack), and the viewers the file's `load` declares, through the stack's front door.
 */
import type { Clock } from '../core/clock.js';
import { SimianError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import type { SimianConfig } from '../config/simian-config.js';
import { failoverFetch } from '../core/failover-fetch.js';
import { frontDoorUrlsOf, type StackState } from '../reference-stack/stack/stack-state.js';
import { readStackToken } from '../reference-stack/stack/stack-token.js';
import { isFaultAction, methodActions, type Experiment } from '../runner/experiment.js';
import { experimentProblem } from '../runner/load-experiment.js';
import { resolveSlos, SLO_UNAVAILABLE } from '../runner/prepare.js';
import type { FaultSeams, PrometheusQuery, RunnerDeps, SloLoader } from '../runner/runner-deps.js';
import { loadSloFile } from '../slo/load-slo-file.js';
import { PrometheusClient } from '../slo/prometheus-client.js';
import { PrometheusSliSource } from '../slo/prometheus-sli-source.js';
import type { SliSource } from '../slo/sli-source.js';
import type { EngineEvents } from './events.js';
import { frontDoorViewers } from './front-door-viewers.js';
import { openFaultRun, type FaultRun } from './fault-run.js';
import { providerSettings, type ProviderRegistry } from './provider-registry.js';
import { instantQuery, runningStack, scrapeStack } from './stack-sli.js';

/** The runner's dependencies for one run, and how to let go of them. */
export interface RunnerSession {
  readonly deps: RunnerDeps;
  close(): Promise<void>;
}

/** What {@link experimentRunnerDeps} is given. */
export interface ExperimentWiringOptions {
  readonly config: SimianConfig;
  readonly experiment: Experiment;
  /** A Prometheus to score SLOs with; absent: the stack's own if it started one, else direct scrapes. */
  readonly prometheusUrl?: string;
  /** Values of `${name}`, over the running stack's variables. */
  readonly variables: Readonly<Record<string, string>>;
  readonly providers: ProviderRegistry;
  readonly clock: Clock;
  readonly random: Random;
  readonly events: EngineEvents;
  /** The process that holds the run's faults (the front end's pid): the next start reverts them if it dies. */
  readonly ownerPid?: number;
  /**
   * Who plays the viewers a file's `load` declares: `declared`, the run, through `${frontDoor}`; `none`, nobody
   * here (a front end that drives its own, such as the game-day console). @default 'declared'
   */
  readonly viewers?: 'declared' | 'none';
}

/** The code of the refusal of an experiment that declares load with no front door to send viewers through. */
export const NO_FRONT_DOOR = 'experiment.noFrontDoor';

/** The SLO side of a run: the loader, the SLI source, a PromQL instant query, and how the baseline is scored. */
export interface SloWiring {
  readonly loadSlos: SloLoader;
  readonly sli?: SliSource;
  readonly prometheus?: PrometheusQuery;
  readonly baseline: 'history' | 'observe';
  close(): Promise<void>;
}

/**
 * The variables a running stack gives every experiment: `${frontDoor}` (the first front door), `${frontDoors}`
 * (every front door, comma-separated), `${toxiproxy}`, `${stackAdmin}`, `${prometheus}`, and `${stackToken}` for
 * the routes that change the stack (`Authorization: Bearer ${stackToken}`), which journals and reports show as
 * `[redacted]`.
 */
export function stackVariables(stack: StackState | undefined, stackToken?: string): Record<string, string> {
  if (!stack) return {};
  const frontDoors = frontDoorUrlsOf(stack);
  return {
    ...(frontDoors.length > 0 ? { frontDoor: frontDoors[0]!, frontDoors: frontDoors.join(',') } : {}),
    toxiproxy: stack.toxiproxyUrl,
    stackAdmin: stack.adminUrl,
    ...(stack.prometheusUrl ? { prometheus: stack.prometheusUrl } : {}),
    ...(stackToken ? { stackToken } : {}),
  };
}

/**
 * The front doors the viewers go through: `${frontDoor}` first, then the running stack's other front doors when
 * `${frontDoor}` is one of them (a `--var frontDoor=URL` elsewhere is used alone); none without `${frontDoor}`.
 */
export function viewerFrontDoors(frontDoor: string | undefined, stack: StackState | undefined): readonly string[] {
  if (!frontDoor) return [];
  const origin = (url: string) => new URL(url).origin;
  const stackDoors = stack ? frontDoorUrlsOf(stack) : [];
  if (!stackDoors.some((door) => origin(door) === origin(frontDoor))) return [frontDoor];
  return [frontDoor, ...stackDoors.filter((door) => origin(door) !== origin(frontDoor))];
}

function usesSlos(experiment: Experiment): boolean {
  return experiment.steadyState.slos.length > 0 || experiment.stopConditions.conditions.some((c) => c.kind === 'burnRate');
}

/**
 * The SLO sources of a run. With a Prometheus (the one named, or the one `simian stack up --prometheus` started)
 * SLIs and PromQL checks ask it, and the steady state before scores the window that ends at the start. Without
 * one, SLIs come from direct scrapes of the running stack, which follow replaced instances; they keep no history,
 * so the runner first watches the SLO window (`baseline: 'observe'`).
 *
 * @throws SimianError `experiment.sloUnavailable` (exit 2) when the experiment checks SLOs and there is neither a
 *   Prometheus nor a running stack to scrape
 */
export async function sloSourceFor(
  deps: { readonly clock: Clock },
  options: { readonly experiment: Experiment; readonly prometheusUrl?: string; readonly stack: StackState | undefined },
): Promise<SloWiring> {
  const loadSlos: SloLoader = (path) => loadSloFile(path);
  const prometheusUrl = options.prometheusUrl ?? options.stack?.prometheusUrl;
  if (prometheusUrl) {
    const client = new PrometheusClient({ url: prometheusUrl, clock: deps.clock });
    return { loadSlos, sli: new PrometheusSliSource(client), prometheus: instantQuery(client), baseline: 'history', close: async () => undefined };
  }
  if (!usesSlos(options.experiment)) return { loadSlos, baseline: 'history', close: async () => undefined };
  const stack = options.stack;
  if (!stack) {
    throw new SimianError(SLO_UNAVAILABLE, `${options.experiment.source?.file ?? 'the experiment'} checks SLOs: give a Prometheus (--prometheus URL) or start the stack ("simian stack up") to scrape it directly`, { exitCode: 2 });
  }
  const { slos } = await resolveSlos(options.experiment, loadSlos);
  const scrapes = await scrapeStack(deps, stack, slos.map((s) => s.slo));
  return { loadSlos, sli: scrapes.sli, baseline: 'observe', close: () => scrapes.close() };
}

/** `sli`, telling every answer it gives as an `slo-sample` event. */
export function sampledSli(sli: SliSource, deps: { readonly clock: Clock; readonly events: EngineEvents }): SliSource {
  return {
    name: sli.name,
    errorRatio: async (slo, window, signal) => {
      const result = await sli.errorRatio(slo, window, signal);
      deps.events.emit({
        kind: 'slo-sample',
        at: deps.clock.now(),
        slo: slo.name,
        source: sli.name,
        window: { start: window.start, end: window.end },
        ...(result.outcome === 'measured' ? { errorRatio: result.errorRatio } : { reason: result.reason }),
      });
      return result;
    },
  };
}

/** The runner's fault seams over an engine fault run. */
function faultSeams(run: FaultRun): FaultSeams {
  return {
    pipeline: (provider, safety) => run.pipeline(provider, safety),
    revert: (faultId, trigger) => run.reverter.revert(faultId, trigger),
  };
}

/** The dependencies of a real experiment run. Close the session in a `finally`. */
export async function experimentRunnerDeps(options: ExperimentWiringOptions): Promise<RunnerSession> {
  const { config, experiment, clock, random, events } = options;
  const stack = runningStack(config.stateDir);
  const stackToken = stack ? readStackToken(config.stateDir) : undefined;
  const closers: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  const variables = { ...stackVariables(stack, stackToken), ...options.variables };
  const playsViewers = experiment.load !== undefined && (options.viewers ?? 'declared') === 'declared';
  const frontDoor = playsViewers ? variables.frontDoor : undefined;
  if (playsViewers && !frontDoor) {
    // Before anything is opened, let alone injected: the checks would have no viewers' requests to score.
    throw new SimianError(
      NO_FRONT_DOOR,
      experimentProblem(experiment, ['load'], `the run sends its viewers through the reference stack's front door, and ${stack ? `the stack of ${config.stateDir} has none` : `no stack runs in ${config.stateDir}`}: start it ("simian stack up --detach"), or give --var frontDoor=URL`),
      { exitCode: 2 },
    );
  }
  try {
    // The providers the file names (activities' `provider:`), loaded before any is built (see ProviderRegistry.prepare).
    await options.providers.prepare?.(providersNamedIn(experiment));
    let run: FaultRun | undefined;
    if (methodActions(experiment).some(({ action }) => isFaultAction(action))) {
      run = await openFaultRun({ config, providers: options.providers, clock, random, events, ...(options.ownerPid !== undefined ? { ownerPid: options.ownerPid } : {}) });
      const opened = run;
      closers.push(() => opened.close());
    }
    const slo = await sloSourceFor({ clock }, { experiment, stack, ...(options.prometheusUrl ? { prometheusUrl: options.prometheusUrl } : {}) });
    closers.push(() => slo.close());
    const settings = providerSettings(config);
    // Probes and actions write their URLs on `${frontDoor}`; with several front doors, each goes to one that answers.
    const stackDoors = stack ? frontDoorUrlsOf(stack) : [];
    const standalone = new Map<string, ReturnType<ProviderRegistry['create']>>();
    return {
      deps: {
        clock,
        random,
        providers: (name) => {
          if (run) return run.provider(name);
          let found = standalone.get(name);
          if (!found) standalone.set(name, (found = options.providers.create(name, settings)));
          return found;
        },
        ...(run ? { faults: faultSeams(run) } : {}),
        safety: config.safety,
        loadSlos: slo.loadSlos,
        ...(slo.sli ? { sli: sampledSli(slo.sli, { clock, events }) } : {}),
        ...(slo.prometheus ? { prometheus: slo.prometheus } : {}),
        baseline: slo.baseline,
        variables,
        ...(stackDoors.length > 1 ? { fetch: failoverFetch(stackDoors) } : {}),
        ...(frontDoor ? { viewers: frontDoorViewers({ target: viewerFrontDoors(frontDoor, stack), clock, random }) } : {}),
        ...(stackToken ? { secrets: [stackToken] } : {}),
        log: (line) => events.emit({ kind: 'experiment', at: clock.now(), title: experiment.title, message: line }),
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Every `provider` string anywhere in `value` (an experiment's activities), and `local`, the default. */
function providersNamedIn(value: unknown, found = new Set<string>(['local'])): string[] {
  if (Array.isArray(value)) for (const item of value) providersNamedIn(item, found);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'provider' && typeof item === 'string') found.add(item);
      else providersNamedIn(item, found);
    }
  }
  return [...found];
}
