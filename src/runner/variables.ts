/**
 * @module
 * `${name}` in experiment strings: the front door's URL, a token, anything the runner is given or the file
 * defaults. Substitution happens when an activity runs; every reference is checked before the run starts, so an
 * unknown variable is bad input, not a probe that fails at minute five. `$${` writes a literal `${`.
 */
import { InvalidInputError } from '../core/errors.js';
import { filePath, type Experiment, type VariableSpec } from './experiment.js';
import { EXPERIMENT_INVALID, experimentProblem } from './load-experiment.js';

const REFERENCE = /\$(\$)?\{([^}]*)\}/g;

/** Every variable name `text` refers to (escaped `$${…}` excluded). */
export function referencedVariables(text: string): string[] {
  return [...text.matchAll(REFERENCE)].filter((m) => m[1] === undefined).map((m) => m[2]!.trim());
}

/**
 * `text` with each `${name}` replaced by its value and `$${` by `${`.
 *
 * @throws InvalidInputError `experiment.invalid` for a name that has no value (checked up front by {@link checkVariables}).
 */
export function interpolate(text: string, variables: Readonly<Record<string, string>>): string {
  return text.replace(REFERENCE, (whole, escaped: string | undefined, name: string) => {
    if (escaped !== undefined) return whole.slice(1);
    const value = variables[name.trim()];
    if (value === undefined) throw new InvalidInputError(EXPERIMENT_INVALID, `unknown variable \${${name}}`);
    return value;
  });
}

/** Applies {@link interpolate} to every string of a plain value (an activity spec), keeping its shape. */
export function interpolateAll<T>(value: T, variables: Readonly<Record<string, string>>): T {
  if (typeof value === 'string') return interpolate(value, variables) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => interpolateAll(item, variables)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, variables)])) as T;
  }
  return value;
}

/**
 * The variables of a run: the file's defaults (literal, or read from `env`), overridden by those the runner is
 * given (the CLI passes the running stack's `frontDoor`, `toxiproxy`, `stackAdmin`, and `--var`s).
 */
export function resolveVariables(
  declared: Readonly<Record<string, VariableSpec>>,
  given: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    if (typeof spec === 'string') resolved[name] = spec;
    else {
      const value = env[spec.env] ?? spec.default;
      if (value !== undefined) resolved[name] = value;
    }
  }
  return { ...resolved, ...given };
}

/**
 * The names of the declared variables whose value this run reads from the environment (not from their default,
 * nor given by the runner): their values are secrets the journal never shows.
 */
export function environmentVariableNames(
  declared: Readonly<Record<string, VariableSpec>>,
  given: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  return Object.entries(declared)
    .filter(([name, spec]) => typeof spec === 'object' && env[spec.env] !== undefined && given[name] === undefined)
    .map(([name]) => name);
}

function walkStrings(value: unknown, path: PropertyKey[], visit: (text: string, path: readonly PropertyKey[]) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, i) => walkStrings(item, [...path, i], visit));
  else if (typeof value === 'object' && value !== null) {
    // Names are labels (a default name may quote a URL): only what runs is checked.
    for (const [k, v] of Object.entries(value)) if (k !== 'name' && k !== 'kind') walkStrings(v, [...path, k], visit);
  }
}

/**
 * Checks that every `${name}` in the steady state, the method, the rollbacks and the stop conditions has a value.
 *
 * @throws InvalidInputError `experiment.invalid`, one line per unknown reference, at its line in the file
 */
export function checkVariables(experiment: Experiment, variables: Readonly<Record<string, string>>): void {
  const problems: string[] = [];
  const known = Object.keys(variables).sort();
  const sections = { steadyState: experiment.steadyState, method: experiment.method, rollbacks: experiment.rollbacks, stopConditions: experiment.stopConditions };
  for (const [key, section] of Object.entries(sections)) {
    walkStrings(section, [key], (text, path) => {
      for (const name of referencedVariables(text)) {
        if (variables[name] === undefined) {
          const where = filePath(path);
          problems.push(experimentProblem(experiment, where, `unknown variable \${${name}} (known: ${known.length > 0 ? known.join(', ') : 'none'}; pass one with --var ${name}=VALUE)`));
        }
      }
    });
  }
  if (problems.length > 0) throw new InvalidInputError(EXPERIMENT_INVALID, [...new Set(problems)].join('\n'));
}
