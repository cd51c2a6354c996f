/**
 * @module
 * Everything checked before a run touches anything. Bad input (an unknown variable, an SLO file or name that does
 * not exist, PromQL checks without a Prometheus) throws with exit code 2 and no journal; targets that the providers
 * do not have (a group, a zone, a region) fail the run with a journal, as FIS fails an experiment whose targets
 * resolve to nothing.
 */
import { resolve } from 'node:path';
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
 * @returns the providers by name, or the problems found (which fail the run before anything is touched)
 */
export async function resolveTargets(experiment: Experiment, deps: RunnerDeps): Promise<{ providers: Map<string, Provider>; problems: string[] }> {
  const providers = new Map<string, Provider>();
  const problems: string[] = [];
  const faults = methodActions(experiment).filter(({ action }) => isFaultAction(action));
  const names = new Set(faults.map(({ action }) => action.provider ?? experiment.target.provider));
  for (const name of names) {
    try {
      providers.set(name, await deps.providers!(name));
    } catch (error) {
      problems.push(`provider ${name}: ${errorText(error)}`);
    }
  }
  for (const { action, step } of faults) {
    const name = action.provider ?? experiment.target.provider;
    const provider = providers.get(name);
    if (!provider) continue;
    try {
      const [groups, zones, regions] = await Promise.all([provider.inventory.groups(), provider.inventory.zones(), provider.inventory.regions()]);
      const missing = (what: string, value: string) => problems.push(`step ${step} (${action.name}): no ${what} ${value} in provider ${name}`);
      const instanceIds = new Set(groups.flatMap((g) => g.instances.map((i) => i.id)));
      if (action.kind === 'chaos' && !groups.some((g) => g.name === action.chaos.group)) missing('group', action.chaos.group);
      if (action.kind === 'gorilla' && !zones.some((z) => z.name === action.gorilla.zone && (action.gorilla.region === undefined || z.region === action.gorilla.region))) {
        missing('zone', `${action.gorilla.region ? `${action.gorilla.region}/` : ''}${action.gorilla.zone}`);
      }
      if (action.kind === 'kong' && !regions.some((r) => r.name === action.kong.region)) missing('region', action.kong.region);
      if (action.kind === 'latency') {
        const { group, zone, region, instances } = action.latency;
        if (group !== undefined && !groups.some((g) => g.name === group)) missing('group', group);
        if (zone !== undefined && !zones.some((z) => z.name === zone)) missing('zone', zone);
        if (region !== undefined && !regions.some((r) => r.name === region)) missing('region', region);
        for (const id of instances ?? []) if (!instanceIds.has(id)) missing('instance', id);
      }
      const control = experiment.control;
      if (control) {
        const known = control.by === 'zone' ? new Set(zones.map((z) => z.name)) : control.by === 'region' ? new Set(regions.map((r) => r.name)) : instanceIds;
        for (const member of [...control.control, ...control.experiment]) {
          if (!known.has(member)) problems.push(`control: no ${control.by === 'instances' ? 'instance' : control.by} ${member} in provider ${name}`);
        }
      }
    } catch (error) {
      problems.push(`provider ${name}: cannot read the inventory: ${errorText(error)}`);
    }
  }
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
