/**
 * @module
 * Everything checked before a run touches anything. Bad input (an unknown variable, an SLO file or name that does
 * not exist, PromQL checks without a Prometheus, a group, zone or region the provider does not have) throws with
 * exit code 2 and no journal, naming what there is; a provider that cannot be reached fails the run with a journal.
 */
import { resolve } from 'node:path';
import { unknownNameMessage } from '../core/did-you-mean.js';
import { InvalidInputError, SimianError } from '../core/errors.js';
import type { Provider } from '../providers/provider.js';
import type { SloSpec } from '../slo/slo-spec.js';
import { isFaultAction, methodActions, type Experiment, type StopCondition } from './experiment.js';
import { EXPERIMENT_INVALID, experimentProblem } from './load-experiment.js';
import type { RunnerDeps, SloLoader } from './runner-deps.js';
import type { ResolvedSlo, ResolvedSteadyState } from './steady-state.js';
import type { SloLookup } from './stop-conditions.js';
import { REDACTED } from './redaction.js';
import { checkVariables, environmentVariableNames, resolveVariables } from './variables.js';

/** The code of the error for SLO checks without an SLO loader or SLI source. */
export const SLO_UNAVAILABLE = 'experiment.sloUnavailable';
/** The code of the error for PromQL checks without a Prometheus. */
export const PROMETHEUS_UNAVAILABLE = 'experiment.prometheusUnavailable';
/** The code of the error for faults without providers or a safety pipeline. */
export const PROVIDERS_UNAVAILABLE = 'experiment.providersUnavailable';
/** The code of the error for a fault that names a group, zone, region or instance its provider does not have. */
export const UNKNOWN_TARGET = 'experiment.unknownTarget';

/** What a run knows once its input is checked. */
export interface PreparedExperiment {
  readonly variables: Readonly<Record<string, string>>;
  /** The variables as the journal writes them: those read from the environment as `[redacted]`. */
  readonly journalVariables: Readonly<Record<string, string>>;
  /** What the journal, the report and the log never show: values read from the environment, and `deps.secrets`. */
  readonly secrets: readonly string[];
  readonly steadyState: ResolvedSteadyState;
  readonly sloLookup: SloLookup;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Checks the experiment against what the run was given, loads its SLO files and resolves its variables.
 *
 * @throws InvalidInputError `experiment.invalid`, `experiment.sloUnavailable`, `experiment.prometheusUnavailable`
 * @throws SimianError `experiment.providersUnavailable` (a caller that forgot the fault seams)
 */
export async function prepareExperiment(experiment: Experiment, deps: RunnerDeps): Promise<PreparedExperiment> {
  const env = deps.env ?? process.env;
  const given = deps.variables ?? {};
  const variables = resolveVariables(experiment.variables, given, env);
  checkVariables(experiment, variables);
  const fromEnvironment = new Set(environmentVariableNames(experiment.variables, given, env));
  const journalVariables = Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, fromEnvironment.has(name) ? REDACTED : value]));
  const secrets = [...[...fromEnvironment].map((name) => variables[name]!), ...(deps.secrets ?? [])];

  const { steadyState, stopConditions } = experiment;
  const burnRates = stopConditions.conditions.filter((c): c is Extract<StopCondition, { kind: 'burnRate' }> => c.kind === 'burnRate');
  const usesSlos = steadyState.slos.length > 0 || burnRates.length > 0;
  if (usesSlos && (!deps.loadSlos || !deps.sli)) {
    throw new InvalidInputError(
      SLO_UNAVAILABLE,
      `${experiment.source?.file ?? 'the experiment'} checks SLOs, but this run has no ${!deps.loadSlos ? 'SLO loader' : 'SLI source'}`,
    );
  }
  const usesQueries = steadyState.queries.length > 0 || stopConditions.conditions.some((c) => c.kind === 'query');
  if (usesQueries && !deps.prometheus) {
    throw new InvalidInputError(PROMETHEUS_UNAVAILABLE, `${experiment.source?.file ?? 'the experiment'} has PromQL checks: give a Prometheus (--prometheus URL)`);
  }
  if (methodActions(experiment).some(({ action }) => isFaultAction(action)) && (!deps.providers || !deps.faults)) {
    throw new SimianError(PROVIDERS_UNAVAILABLE, 'the experiment injects faults, but the runner was given no providers or fault seams');
  }

  const { slos, sloLookup } = await resolveSlos(experiment, deps.loadSlos!);

  return {
    variables,
    journalVariables,
    secrets,
    steadyState: { ...steadyState, slos },
    sloLookup,
  };
}

/**
 * Resolves the providers of the method's faults and checks that what each fault names exists there (a group, a
 * zone, a region, instances, and the control group's members). Reading the inventory changes nothing.
 *
 * @returns the providers by name, and the problems found reaching them (which fail the run before anything is
 *   touched)
 * @throws InvalidInputError `experiment.unknownTarget` (exit 2) naming, at its line, every name a provider does not
 *   have, with the names there are and a "did you mean"
 */
export async function resolveTargets(experiment: Experiment, deps: RunnerDeps): Promise<{ providers: Map<string, Provider>; problems: string[] }> {
  const providers = new Map<string, Provider>();
  const problems: string[] = [];
  const unknown: string[] = [];
  const faults = methodActions(experiment).filter(({ action }) => isFaultAction(action));
  const names = new Set(faults.map(({ action }) => action.provider ?? experiment.target.provider));
  for (const name of names) {
    try {
      providers.set(name, await deps.providers!(name));
    } catch (error) {
      problems.push(`provider ${name}: ${errorText(error)}`);
    }
  }
  for (const { action, step, path } of faults) {
    const name = action.provider ?? experiment.target.provider;
    const provider = providers.get(name);
    if (!provider) continue;
    try {
      const [groups, zones, regions] = await Promise.all([provider.inventory.groups(), provider.inventory.zones(), provider.inventory.regions()]);
      const instanceIds = [...new Set(groups.flatMap((g) => g.instances.map((i) => i.id)))];
      const groupNames = groups.map((g) => g.name);
      const zoneNames = [...new Set(zones.map((z) => z.name))];
      const regionNames = regions.map((r) => r.name);
      const missing = (field: readonly PropertyKey[], what: string, value: string, known: readonly string[]) =>
        unknown.push(experimentProblem(experiment, [...path, ...field], `step ${step} (${action.name}): ${unknownNameMessage(what, value, known)} in provider ${name}`));
      if (action.kind === 'chaos' && !groupNames.includes(action.chaos.group)) missing(['chaos', 'group'], 'group', action.chaos.group, groupNames);
      if (action.kind === 'gorilla' && !zones.some((z) => z.name === action.gorilla.zone && (action.gorilla.region === undefined || z.region === action.gorilla.region))) {
        const known = [...new Set(zones.filter((z) => action.gorilla.region === undefined || z.region === action.gorilla.region).map((z) => z.name))];
        missing(['gorilla', 'zone'], action.gorilla.region ? `zone in region ${action.gorilla.region}` : 'zone', action.gorilla.zone, known);
      }
      if (action.kind === 'kong' && !regionNames.includes(action.kong.region)) missing(['kong', 'region'], 'region', action.kong.region, regionNames);
      if (action.kind === 'latency') {
        const { group, zone, region, instances } = action.latency;
        if (group !== undefined && !groupNames.includes(group)) missing(['latency', 'group'], 'group', group, groupNames);
        if (zone !== undefined && !zoneNames.includes(zone)) missing(['latency', 'zone'], 'zone', zone, zoneNames);
        if (region !== undefined && !regionNames.includes(region)) missing(['latency', 'region'], 'region', region, regionNames);
        for (const [i, id] of (instances ?? []).entries()) if (!instanceIds.includes(id)) missing(['latency', 'instances', i], 'instance', id, instanceIds);
      }
      const control = experiment.control;
      if (control) {
        const known = control.by === 'zone' ? zoneNames : control.by === 'region' ? regionNames : instanceIds;
        for (const [side, members] of [['control', control.control], ['experiment', control.experiment]] as const) {
          for (const [i, member] of members.entries()) {
            if (!known.includes(member)) unknown.push(experimentProblem(experiment, ['control', side, i], `control: ${unknownNameMessage(control.by === 'instances' ? 'instance' : control.by, member, known)} in provider ${name}`));
          }
        }
      }
    } catch (error) {
      problems.push(`provider ${name}: cannot read the inventory: ${errorText(error)}`);
    }
  }
  if (unknown.length > 0) throw new InvalidInputError(UNKNOWN_TARGET, [...new Set(unknown)].join('\n'));
  return { providers, problems: [...new Set(problems)] };
}

/**
 * Loads the SLO files an experiment names (steady-state SLOs, burn-rate stop conditions) and finds each SLO named,
 * so that a typo is reported at its line before anything runs. `simian experiment validate` calls it alone.
 *
 * @throws InvalidInputError `experiment.invalid`, one line per SLO file that cannot be loaded or name not found
 */
export async function resolveSlos(experiment: Experiment, loadSlos: SloLoader): Promise<{ slos: ResolvedSlo[]; sloLookup: SloLookup }> {
  const { steadyState, stopConditions } = experiment;
  const baseDir = experiment.source?.baseDir ?? process.cwd();
  const files = new Map<string, readonly SloSpec[]>();
  const load = async (file: string, path: readonly PropertyKey[]): Promise<readonly SloSpec[]> => {
    const absolute = resolve(baseDir, file);
    const cached = files.get(absolute);
    if (cached) return cached;
    let specs: readonly SloSpec[];
    try {
      specs = await loadSlos(absolute);
    } catch (error) {
      // The loader's own message names the SLO file's lines; this one adds where the experiment refers to it.
      throw new InvalidInputError(EXPERIMENT_INVALID, experimentProblem(experiment, path, `cannot load SLO file ${absolute}: ${errorText(error)}`), { cause: error });
    }
    files.set(absolute, specs);
    return specs;
  };
  const problems: string[] = [];
  const find = (specs: readonly SloSpec[], name: string) => specs.flatMap((spec) => spec.slos.filter((s) => s.name === name).map((slo) => ({ service: spec.service, slo })));

  const resolvedSlos: ResolvedSlo[] = [];
  for (const [i, check] of steadyState.slos.entries()) {
    const specs = await load(check.file, ['steady-state', 'slos', i, 'file']);
    const absolute = resolve(baseDir, check.file);
    if (!check.names) {
      for (const spec of specs) for (const slo of spec.slos) resolvedSlos.push({ file: absolute, service: spec.service, slo, check });
      continue;
    }
    for (const [j, name] of check.names.entries()) {
      const found = find(specs, name);
      if (found.length === 1) resolvedSlos.push({ file: absolute, ...found[0]!, check });
      else {
        const known = specs.flatMap((s) => s.slos.map((slo) => slo.name));
        problems.push(
          experimentProblem(
            experiment,
            ['steady-state', 'slos', i, 'names', j],
            found.length === 0 ? `no SLO "${name}" in ${check.file} (it has: ${known.join(', ') || 'none'})` : `SLO "${name}" is defined by several services in ${check.file}`,
          ),
        );
      }
    }
  }

  const burnSlos = new Map<StopCondition, ResolvedSlo>();
  for (const [i, condition] of stopConditions.conditions.entries()) {
    if (condition.kind !== 'burnRate') continue;
    const { slo: name, file } = condition.burnRate;
    const path = ['stop-conditions', 'conditions', i, 'burnRate', 'slo'];
    if (file !== undefined) {
      const found = find(await load(file, ['stop-conditions', 'conditions', i, 'burnRate', 'file']), name);
      if (found.length === 1) {
        burnSlos.set(condition, { file: resolve(baseDir, file), ...found[0]!, check: { file, windowMs: condition.burnRate.windowMs, periodMs: 0 } });
      } else problems.push(experimentProblem(experiment, path, `no single SLO "${name}" in ${file}`));
    } else {
      const found = resolvedSlos.filter((r) => r.slo.name === name);
      if (found.length >= 1) burnSlos.set(condition, found[0]!);
      else problems.push(experimentProblem(experiment, path, `no SLO "${name}" among the SLOs of steady-state.slos (name its file with file:)`));
    }
  }
  if (problems.length > 0) throw new InvalidInputError(EXPERIMENT_INVALID, problems.join('\n'));
  return { slos: resolvedSlos, sloLookup: (condition) => burnSlos.get(condition)! };
}
