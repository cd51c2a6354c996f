/**
 * @module
 * Importing a Chaos Toolkit experiment (JSON or YAML) into Simian's format. Activities whose provider is `http`
 * (url, method, headers, arguments, timeout) or `process` (path, arguments, timeout) carry over, with their
 * tolerances (a status or exit code, a list of them, a `range` on `status`, a `regex` on `body` or `stdout`),
 * pauses, `ref`s and `configuration` (as variables: CTK and Simian both write `${name}`). Anything that cannot
 * carry over with the same meaning (a `python` provider, a `jsonpath` or `probe` tolerance, background activities,
 * secrets) is refused, each by name and line, rather than silently dropped: an experiment with a hole in its
 * method is a different experiment.
 */
import { dirname, resolve } from 'node:path';
import { stringify } from 'yaml';
import { InvalidInputError } from '../core/errors.js';
import { parseLocatedYaml, yamlProblem, yamlProblemsError, type LocatedYaml, type YamlProblem } from '../core/yaml-errors.js';
import { EXPERIMENT_INVALID, parseExperiment, readExperimentFile } from './load-experiment.js';

/** The code of the error listing what an import cannot carry over. */
export const IMPORT_UNSUPPORTED = 'experiment.importUnsupported';

/** What an import produced. */
export interface ChaosToolkitImport {
  /** The experiment in Simian's format, as YAML text (it validates). */
  readonly yaml: string;
  /** The same, as a plain document. */
  readonly document: Record<string, unknown>;
  /** What was ignored or changed meaning slightly, for people to read. */
  readonly notes: readonly string[];
}

type Path = readonly PropertyKey[];
type Json = Record<string, unknown>;

const IGNORED_TOP_LEVEL = ['version', 'contributions', 'controls', 'extensions', 'runtime', 'dry'];
const SHELL_OPERATORS = /[|&;<>`]|\$\(/;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Seconds (a number, as CTK writes them) to a Simian duration. */
function seconds(value: number): string {
  return Number.isInteger(value) ? `${value}s` : `${Math.round(value * 1000)}ms`;
}

/** URL-encodes text but keeps `${…}` references whole, so they are still substituted at run time. */
function encodeKeepingVariables(text: string): string {
  return text
    .split(/(\$\{[^}]*\})/)
    .map((part) => (part.startsWith('${') ? part : encodeURIComponent(part)))
    .join('');
}

function formEncode(values: Json): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${encodeKeepingVariables(k)}=${encodeKeepingVariables(typeof v === 'string' ? v : JSON.stringify(v))}`)
    .join('&');
}

/** Splits a command-line string on spaces, honouring single and double quotes (no shell is involved). */
function splitArguments(text: string): string[] {
  const args: string[] = [];
  let current = '';
  let quote: string | undefined;
  let started = false;
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = undefined;
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (/\s/.test(c)) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (started) args.push(current);
  return args;
}

class Importer {
  readonly problems: YamlProblem[] = [];
  readonly notes: string[] = [];
  private readonly byName = new Map<string, { activity: Json; path: Path }>();

  constructor(private readonly yaml: LocatedYaml) {}

  problem(path: Path, message: string): void {
    this.problems.push(yamlProblem(this.yaml, path, message));
  }

  /** Resolves `{ref: name}` to the activity defined earlier under that name. */
  private deref(activity: Json, path: Path): { activity: Json; path: Path } | undefined {
    if (typeof activity.ref !== 'string') {
      if (typeof activity.name === 'string') this.byName.set(activity.name, { activity, path });
      return { activity, path };
    }
    const target = this.byName.get(activity.ref);
    if (!target) {
      this.problem([...path, 'ref'], `no activity named "${activity.ref}" is defined before this reference`);
      return undefined;
    }
    return target;
  }

  /**
   * One activity in Simian's shape (`{name, http}` or `{name, process}`), or undefined with a problem recorded.
   * `withTolerance`: steady-state probes carry their tolerance over; method and rollback activities have none.
   */
  activity(raw: unknown, path: Path, withTolerance: boolean): Json | undefined {
    if (!isObject(raw)) {
      this.problem(path, 'expected an activity (a mapping with type, name and provider)');
      return undefined;
    }
    const found = this.deref(raw, path);
    if (!found) return undefined;
    const { activity, path: at } = found;
    const name = typeof activity.name === 'string' ? activity.name : undefined;
    const label = name ? `"${name}"` : 'this activity';
    if (activity.background === true) {
      this.problem([...at, 'background'], `${label}: background activities are not supported; put concurrent actions in a parallel step`);
      return undefined;
    }
    if (activity.secrets !== undefined) {
      this.problem([...at, 'secrets'], `${label}: secrets are not imported; pass them as variables (--var name=value or variables: {name: {env: NAME}})`);
      return undefined;
    }
    const provider = activity.provider;
    if (!isObject(provider)) {
      this.problem(at, `${label}: expected a provider`);
      return undefined;
    }
    const type = provider.type;
    let converted: Json | undefined;
    if (type === 'http') converted = this.http(provider, [...at, 'provider'], label, activity.timeout);
    else if (type === 'process') converted = this.process(provider, [...at, 'provider'], label, activity.timeout);
    else if (type === 'python') {
      const module = [provider.module, provider.func].filter((p) => typeof p === 'string').join('.');
      this.problem([...at, 'provider', 'type'], `${label}: python provider ${module || '(no module)'} is not supported (only http and process); use a Simian method step (chaos, gorilla, kong, latency) instead`);
      return undefined;
    } else {
      this.problem([...at, 'provider', 'type'], `${label}: provider type ${JSON.stringify(type)} is not supported (only http and process)`);
      return undefined;
    }
    if (!converted) return undefined;
    const kind = type as 'http' | 'process';
    if (withTolerance && this.tolerance(activity.tolerance, [...at, 'tolerance'], label, kind, converted) === false) return undefined;
    return { ...(name ? { name } : {}), [kind]: converted };
  }

  private timeoutOf(value: unknown, path: Path, label: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    // requests takes (connect, read): the whole call may take both.
    const total = Array.isArray(value) ? value.reduce<number>((sum, v) => sum + (typeof v === 'number' ? v : 0), 0) : value;
    if (typeof total === 'number' && total > 0) return seconds(total);
    this.problem(path, `${label}: expected a timeout in seconds`);
    return undefined;
  }

  private http(provider: Json, path: Path, label: string, activityTimeout: unknown): Json | undefined {
    if (typeof provider.url !== 'string' || provider.url === '') {
      this.problem([...path, 'url'], `${label}: an http provider needs a url`);
      return undefined;
    }
    if (provider.verify_tls === false) {
      this.problem([...path, 'verify_tls'], `${label}: verify_tls: false is not supported (Simian always verifies TLS)`);
      return undefined;
    }
    const method = typeof provider.method === 'string' ? provider.method.toUpperCase() : 'GET';
    const headers = isObject(provider.headers) ? Object.fromEntries(Object.entries(provider.headers).map(([k, v]) => [k, String(v)])) : undefined;
    const http: Json = { url: provider.url, method };
    const args = provider.arguments;
    if (isObject(args) && Object.keys(args).length > 0) {
      if (method === 'GET') http.url = `${provider.url}${provider.url.includes('?') ? '&' : '?'}${formEncode(args)}`;
      else if (headers && Object.entries(headers).some(([k, v]) => k.toLowerCase() === 'content-type' && v.includes('json'))) http.body = args;
      else {
        http.body = formEncode(args);
        if (!headers || !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
          http.headers = { ...headers, 'content-type': 'application/x-www-form-urlencoded' };
        }
      }
    } else if (args !== undefined && !isObject(args)) {
      this.problem([...path, 'arguments'], `${label}: http arguments must be a mapping`);
      return undefined;
    }
    if (headers && http.headers === undefined) http.headers = headers;
    const timeout = this.timeoutOf(provider.timeout ?? activityTimeout, [...path, 'timeout'], label);
    if (timeout) http.timeout = timeout;
    if (provider.max_retries !== undefined && provider.max_retries !== 0) this.notes.push(`${label}: max_retries ignored (Simian calls once)`);
    return http;
  }

  private process(provider: Json, path: Path, label: string, activityTimeout: unknown): Json | undefined {
    if (typeof provider.path !== 'string' || provider.path === '') {
      this.problem([...path, 'path'], `${label}: a process provider needs a path`);
      return undefined;
    }
    let args: string[] = [];
    const raw = provider.arguments;
    if (typeof raw === 'string') {
      // Chaos Toolkit hands a string to a shell; Simian never uses one, so only plain words carry over.
      if (SHELL_OPERATORS.test(raw)) {
        this.problem([...path, 'arguments'], `${label}: the arguments use shell syntax (${raw}); Simian runs programs without a shell: put the command line in a script`);
        return undefined;
      }
      args = splitArguments(raw);
    } else if (Array.isArray(raw)) args = raw.filter((a) => a !== null && a !== '').map(String);
    else if (isObject(raw)) args = Object.entries(raw).flatMap(([k, v]) => [k, v]).filter((a) => a !== null && a !== undefined && a !== '').map(String);
    else if (raw !== undefined && raw !== null) {
      this.problem([...path, 'arguments'], `${label}: expected arguments as a list, a mapping or a string`);
      return undefined;
    }
    const process: Json = { path: provider.path, ...(args.length > 0 ? { arguments: args } : {}) };
    const timeout = this.timeoutOf(provider.timeout ?? activityTimeout, [...path, 'timeout'], label);
    if (timeout) process.timeout = timeout;
    return process;
  }

  /** Adds the tolerance to `converted`; false (with a problem) when it has no Simian equivalent. */
  private tolerance(tolerance: unknown, path: Path, label: string, kind: 'http' | 'process', converted: Json): boolean {
    const codeKey = kind === 'http' ? 'status' : 'exitCode';
    const codeName = kind === 'http' ? 'status' : 'exit code';
    if (tolerance === undefined) {
      this.notes.push(`${label}: no tolerance; Simian accepts ${kind === 'http' ? 'statuses 100-399' : 'exit code 0'}`);
      return true;
    }
    if (typeof tolerance === 'number' && Number.isInteger(tolerance)) {
      converted[codeKey] = tolerance;
      return true;
    }
    if (Array.isArray(tolerance) && tolerance.length > 0 && tolerance.every((t) => typeof t === 'number' && Number.isInteger(t))) {
      // CTK compares the output's status against the list's members (not a range) when the output has a status.
      converted[codeKey] = tolerance;
      return true;
    }
    if (isObject(tolerance)) {
      const target = tolerance.target;
      if (tolerance.type === 'range' && Array.isArray(tolerance.range) && tolerance.range.length === 2 && target === 'status') {
        const [low, high] = tolerance.range as unknown[];
        if (typeof low === 'number' && typeof high === 'number') {
          converted[codeKey] = `${Math.ceil(low)}-${Math.floor(high)}`;
          return true;
        }
      }
      if (tolerance.type === 'regex' && typeof tolerance.pattern === 'string') {
        const textTarget = kind === 'http' ? 'body' : 'stdout';
        if (target === textTarget) {
          converted[kind === 'http' ? 'bodyMatches' : 'stdoutMatches'] = tolerance.pattern;
          return true;
        }
        this.problem(path, `${label}: a regex tolerance must target ${textTarget} (got ${JSON.stringify(target ?? null)})`);
        return false;
      }
      this.problem(path, `${label}: a ${JSON.stringify(tolerance.type ?? null)} tolerance${target ? ` on ${JSON.stringify(target)}` : ''} is not supported (a ${codeName}, a list of them, a range on status, a regex on ${kind === 'http' ? 'body' : 'stdout'})`);
      return false;
    }
    this.problem(path, `${label}: tolerance ${JSON.stringify(tolerance)} cannot be checked against an ${kind} result (use a ${codeName}, a list of them, a range or a regex)`);
    return false;
  }

  pauses(raw: unknown, path: Path): Json | undefined {
    if (raw === undefined) return undefined;
    if (!isObject(raw)) {
      this.problem(path, 'expected pauses as a mapping with before and after (seconds)');
      return undefined;
    }
    const pauses: Json = {};
    for (const key of ['before', 'after'] as const) {
      const value = raw[key];
      if (value === undefined) continue;
      if (typeof value === 'number' && value >= 0) pauses[key] = seconds(value);
      else this.problem([...path, key], `expected a number of seconds, got ${JSON.stringify(value)}`);
    }
    return Object.keys(pauses).length > 0 ? pauses : undefined;
  }
}

/**
 * Converts a Chaos Toolkit experiment to Simian's format. `fileName` labels the messages.
 *
 * @throws InvalidInputError `experiment.invalid` (not a CTK experiment) or `experiment.importUnsupported`, listing
 *   every activity that cannot carry over as `file:line: field: message`
 * @example
 * const { yaml, notes } = importChaosToolkit(await readFile('experiment.json', 'utf8'), 'experiment.json');
 */
export function importChaosToolkit(text: string, fileName: string): ChaosToolkitImport {
  const { yaml, problems } = parseLocatedYaml(text, fileName);
  if (problems.length > 0) throw yamlProblemsError(EXPERIMENT_INVALID, problems);
  const root: unknown = yaml.document.toJS();
  if (!isObject(root) || typeof root.title !== 'string' || !Array.isArray(root.method)) {
    throw new InvalidInputError(EXPERIMENT_INVALID, `${fileName}: not a Chaos Toolkit experiment (expected a mapping with title and method)`);
  }
  const importer = new Importer(yaml);
  const document: Json = { title: root.title };
  if (typeof root.description === 'string' && root.description !== '') document.description = root.description;
  if (Array.isArray(root.tags) && root.tags.length > 0) document.tags = root.tags.map(String);
  for (const key of IGNORED_TOP_LEVEL) if (root[key] !== undefined && key !== 'version') importer.notes.push(`${key}: ignored (no Simian equivalent)`);
  if (root.secrets !== undefined) importer.problem(['secrets'], 'secrets are not imported; pass them as variables (--var name=value or variables: {name: {env: NAME}})');

  if (root.configuration !== undefined) {
    if (!isObject(root.configuration)) importer.problem(['configuration'], 'expected a mapping');
    else {
      const variables: Json = {};
      for (const [name, value] of Object.entries(root.configuration)) {
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') variables[name] = String(value);
        else if (isObject(value) && value.type === 'env' && typeof value.key === 'string') {
          variables[name] = { env: value.key, ...(value.default !== undefined ? { default: String(value.default) } : {}) };
        } else importer.problem(['configuration', name], `configuration ${name}: only values and {type: env, key} carry over`);
      }
      if (Object.keys(variables).length > 0) document.variables = variables;
    }
  }

  const hypothesis = root['steady-state-hypothesis'];
  if (hypothesis !== undefined) {
    if (!isObject(hypothesis)) importer.problem(['steady-state-hypothesis'], 'expected a mapping with title and probes');
    else if (Array.isArray(hypothesis.probes) && hypothesis.probes.length > 0) {
      const probes = hypothesis.probes.map((p, i) => importer.activity(p, ['steady-state-hypothesis', 'probes', i], true));
      document['steady-state'] = { probes: probes.filter((p) => p !== undefined) };
    }
  }

  const method = root.method.map((raw, i) => {
    const path = ['method', i];
    const activity = importer.activity(raw, path, false);
    if (!activity) return undefined;
    const pauses = isObject(raw) ? importer.pauses(raw.pauses, [...path, 'pauses']) : undefined;
    return pauses ? { ...activity, pauses } : activity;
  });
  if (method.length === 0) importer.problem(['method'], 'the method is empty');
  document.method = method.filter((m) => m !== undefined);

  if (Array.isArray(root.rollbacks) && root.rollbacks.length > 0) {
    document.rollbacks = root.rollbacks
      .map((raw, i) => {
        if (isObject(raw) && raw.pauses !== undefined) importer.notes.push(`rollbacks[${i}]: pauses ignored (rollbacks run back to back)`);
        return importer.activity(raw, ['rollbacks', i], false);
      })
      .filter((r) => r !== undefined);
  }

  if (importer.problems.length > 0) throw yamlProblemsError(IMPORT_UNSUPPORTED, importer.problems);
  if (method.some((m) => m !== undefined && 'process' in m) || Array.isArray(document.rollbacks)) {
    importer.notes.push('method and rollback activities now fail the run when a process exits non-zero or an HTTP status is 400 or more (Chaos Toolkit only warned)');
  }
  const header = `# Imported from ${fileName} (Chaos Toolkit) by "simian experiment import".\n# Relative process paths resolve against this file's folder.\n`;
  const out = `${header}${stringify(document, { lineWidth: 0 })}`;
  // What we write must load: a converter bug is caught here, not in the user's next run.
  parseExperiment(out, `${fileName} (imported)`, '.');
  return { yaml: out, document, notes: importer.notes };
}

/**
 * Reads and converts a Chaos Toolkit experiment file.
 *
 * @throws InvalidInputError `experiment.notFound`, `experiment.invalid` or `experiment.importUnsupported`
 */
export async function importChaosToolkitFile(path: string): Promise<ChaosToolkitImport & { readonly baseDir: string }> {
  return { ...importChaosToolkit(await readExperimentFile(path), path), baseDir: dirname(resolve(path)) };
}
