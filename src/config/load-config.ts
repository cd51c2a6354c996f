/**
 * @module
 * Finding, reading and validating `simian.yaml`, and layering the configuration: defaults < file < environment
 * < flags. Which file: `--config PATH` if given (it must exist), else `$SIMIAN_CONFIG` (same), else
 * `./simian.yaml` if there is one, else none — defaults alone are a valid, leashed configuration.
 *
 * Every problem in a file is reported at once, one line each, as `file:line: dotted.path: message`
 * (`simian.yaml:12: safety.maxGroupShare: must be in (0, 1], got 2`), in an {@link InvalidInputError}
 * (exit code 2) with code `config.invalid`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { editDistance } from '../core/did-you-mean.js';
import { InvalidInputError } from '../core/errors.js';
import { parseLocatedYaml, yamlProblemsError, zodIssueProblems } from '../core/yaml-errors.js';
import { applyEnvOverrides, applyOverrides, type ConfigOverrides, type Environment } from './env-overrides.js';
import {
  CONFIG_FILE_NAME,
  CONFIG_INVALID,
  CONFIG_NOT_FOUND,
  configFromFile,
  configKeysAt,
  defaultConfig,
  isRegionName,
  normalizeHttpUrl,
  resolveConfigPath,
  simianConfigSchema,
  type SimianConfig,
} from './simian-config.js';

/** The environment variable that names the config file when `--config` does not. */
export const CONFIG_PATH_ENV_VAR = 'SIMIAN_CONFIG';

/** Where to look, and what to layer on top. Everything defaults to the real process. */
export interface LoadConfigOptions {
  /** An explicit file (`--config`); it must exist. Relative to `cwd`. */
  readonly configPath?: string;
  /** The environment: `SIMIAN_CONFIG` and the overrides of `env-overrides.ts`. @default process.env */
  readonly env?: Environment;
  /** Where `./simian.yaml` is looked for, and what relative paths outside a file resolve against. @default process.cwd() */
  readonly cwd?: string;
  /** What `~/` expands to. @default os.homedir() */
  readonly home?: string;
}

/** A config file to read, and how it was chosen. */
export interface ConfigFileLocation {
  /** Absolute path. */
  readonly path: string;
  /** The path as the user wrote it, for messages. */
  readonly label: string;
  /** `flag`: `--config`; `env`: `SIMIAN_CONFIG`; `cwd`: found as `./simian.yaml`; `argument`: named to a command. */
  readonly chosenBy: 'flag' | 'env' | 'cwd' | 'argument';
}

/**
 * The file {@link loadConfig} would read, or undefined for none (defaults only). An explicit file is returned
 * whether or not it exists: reading it reports the problem.
 */
export function findConfigFile(options: LoadConfigOptions = {}): ConfigFileLocation | undefined {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  if (options.configPath !== undefined) return configFileAt(cwd, options.configPath, 'flag', options.home);
  const fromEnv = env[CONFIG_PATH_ENV_VAR];
  if (fromEnv !== undefined && fromEnv !== '') return configFileAt(cwd, fromEnv, 'env', options.home);
  const here = resolve(cwd, CONFIG_FILE_NAME);
  return existsSync(here) ? { path: here, label: CONFIG_FILE_NAME, chosenBy: 'cwd' } : undefined;
}

/** The location of a file named by the user (`chosenBy` says how), relative to `cwd`. */
export function configFileAt(
  cwd: string,
  path: string,
  chosenBy: ConfigFileLocation['chosenBy'],
  home?: string,
): ConfigFileLocation {
  return { path: resolveConfigPath(cwd, path, home), label: path, chosenBy };
}

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /** Starts every message: the path as the user wrote it. @default 'simian.yaml' */
  readonly fileName?: string;
  /** The folder relative paths in the file resolve against: the file's own. */
  readonly baseDir: string;
  /** The absolute path recorded in `source.file`. */
  readonly file?: string;
  /** What `~/` expands to. @default os.homedir() */
  readonly home?: string;
  /** Where the default state directory goes when the file names none. @default baseDir */
  readonly cwd?: string;
}

/**
 * Parses and validates the text of a `simian.yaml` into a configuration (defaults < file). An empty file is all
 * defaults.
 *
 * @throws InvalidInputError (`config.invalid`) listing every problem as `file:line: dotted.path: message`
 * @example
 * const config = parseConfig('leashed: false\n', { baseDir: '/srv/chaos' });
 */
export function parseConfig(text: string, options: ParseConfigOptions): SimianConfig {
  const { yaml, problems } = parseLocatedYaml(text, options.fileName ?? CONFIG_FILE_NAME);
  if (problems.length > 0) throw yamlProblemsError(CONFIG_INVALID, problems);
  // An empty file (or one holding only comments) says nothing: every default.
  const parsed = simianConfigSchema.safeParse(yaml.document.toJS() ?? {});
  if (!parsed.success) throw yamlProblemsError(CONFIG_INVALID, zodIssueProblems(yaml, parsed.error.issues, unknownKeyMessage));
  return configFromFile(parsed.data, {
    baseDir: options.baseDir,
    ...(options.file === undefined ? {} : { file: options.file }),
    ...(options.home === undefined ? {} : { home: options.home }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
}

/** Names the typo's likely meaning, or lists what is allowed there: a typo must be easy to fix, not just refused. */
function unknownKeyMessage(parent: readonly PropertyKey[], key: string): string {
  const known = configKeysAt(parent);
  if (known.length === 0) return `unknown field "${key}"; nothing is allowed here`;
  const close = known.find((k) => k.toLowerCase() === key.toLowerCase()) ?? known.find((k) => editDistance(k, key) <= 2);
  return close === undefined
    ? `unknown field "${key}"; expected one of ${known.join(', ')}`
    : `unknown field "${key}"; did you mean "${close}"?`;
}

/**
 * Reads and validates one config file (defaults < file, no environment). Relative paths inside it resolve
 * against its folder.
 *
 * @throws InvalidInputError `config.notFound` if it cannot be read, `config.invalid` if it is not valid
 */
export async function readConfigFile(location: ConfigFileLocation, home?: string, cwd?: string): Promise<SimianConfig> {
  let text: string;
  try {
    text = await readFile(location.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    const how = location.chosenBy === 'flag' ? ' (from --config)' : location.chosenBy === 'env' ? ` (from ${CONFIG_PATH_ENV_VAR})` : '';
    throw new InvalidInputError(CONFIG_NOT_FOUND, `config file ${location.label}${how}: ${reason}`, { cause: error });
  }
  return parseConfig(text, {
    fileName: location.label,
    baseDir: dirname(location.path),
    file: location.path,
    ...(home === undefined ? {} : { home }),
    ...(cwd === undefined ? {} : { cwd }),
  });
}

/**
 * The configuration from defaults, the file (see {@link findConfigFile}) and the environment. Flags come last,
 * from the command: {@link applyFlags}.
 *
 * @throws InvalidInputError `config.notFound` for a named file that cannot be read; `config.invalid` for a bad
 * file or environment variable
 * @example
 * const config = applyFlags(await loadConfig({ configPath: flags.config }), { unleash: flags.unleash });
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<SimianConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const location = findConfigFile({ ...options, cwd, env });
  const base = location === undefined ? defaultConfig(cwd) : await readConfigFile(location, options.home, cwd);
  return applyEnvOverrides(base, env, cwd, options.home);
}

/**
 * Command-line flags that override the configuration, named as commander names them (`--state-dir` →
 * `stateDir`), so a command can pass its parsed options as they are. Absent or false means "no change".
 */
export interface ConfigFlags {
  /** `--unleash`: `leashed: false`. */
  readonly unleash?: boolean;
  /** `--state-dir <dir>`: `stateDir` (and the state store with it, unless `--state-store`). */
  readonly stateDir?: string;
  /** `--state-store <file>`: `stateStore`. */
  readonly stateStore?: string;
  /** `--environment <name>`: `environment`. */
  readonly environment?: string;
  /** `--kill-switch-file <file>`: `killSwitchFile`. */
  readonly killSwitchFile?: string;
  /** `--toxiproxy <url>`: `providers.toxiproxy.url`. */
  readonly toxiproxy?: string;
  /** `--aws-region <region>`: `providers.aws.region`. */
  readonly awsRegion?: string;
  /** `--kubeconfig <file>`: `providers.kubernetes.kubeconfig`. */
  readonly kubeconfig?: string;
  /** `--kube-context <name>`: `providers.kubernetes.context`. */
  readonly kubeContext?: string;
  /** `--traffic-shift-url <url>`: `providers.trafficShiftUrl`. */
  readonly trafficShiftUrl?: string;
}

/** What a flag overrides and how its value is read; the table `--help` and the docs are written from. */
export interface ConfigFlag {
  /** The flag as commander declares it, e.g. `--state-dir <dir>`. */
  readonly flag: string;
  readonly option: keyof ConfigFlags;
  /** The setting it overrides, as written in `simian.yaml`. */
  readonly key: string;
  readonly kind: 'unleash' | 'string' | 'path' | 'url' | 'region';
  readonly override: keyof ConfigOverrides;
}

/**
 * `--unleash`, apart from {@link CONFIG_FLAGS}: only a command that injects faults takes it, so that a command that
 * cannot act refuses it as unknown rather than accepting a flag that does nothing.
 */
export const UNLEASH_FLAG: ConfigFlag = { flag: '--unleash', option: 'unleash', key: 'leashed', kind: 'unleash', override: 'leashed' };

/**
 * The flags that override a setting, which every command that reads the configuration takes, in the order they are
 * documented. {@link applyFlags} also understands {@link UNLEASH_FLAG}.
 */
export const CONFIG_FLAGS: readonly ConfigFlag[] = [
  { flag: '--environment <name>', option: 'environment', key: 'environment', kind: 'string', override: 'environment' },
  { flag: '--kill-switch-file <file>', option: 'killSwitchFile', key: 'killSwitchFile', kind: 'path', override: 'killSwitchFile' },
  { flag: '--state-dir <dir>', option: 'stateDir', key: 'stateDir', kind: 'path', override: 'stateDir' },
  { flag: '--state-store <file>', option: 'stateStore', key: 'stateStore', kind: 'path', override: 'stateStore' },
  { flag: '--toxiproxy <url>', option: 'toxiproxy', key: 'providers.toxiproxy.url', kind: 'url', override: 'toxiproxyUrl' },
  { flag: '--aws-region <region>', option: 'awsRegion', key: 'providers.aws.region', kind: 'region', override: 'awsRegion' },
  { flag: '--kubeconfig <file>', option: 'kubeconfig', key: 'providers.kubernetes.kubeconfig', kind: 'path', override: 'kubeconfig' },
  { flag: '--kube-context <name>', option: 'kubeContext', key: 'providers.kubernetes.context', kind: 'string', override: 'kubeContext' },
  { flag: '--traffic-shift-url <url>', option: 'trafficShiftUrl', key: 'providers.trafficShiftUrl', kind: 'url', override: 'trafficShiftUrl' },
];

/** Where relative paths given as flags resolve. */
export interface ApplyFlagsOptions {
  /** @default process.cwd() */
  readonly cwd?: string;
  /** What `~/` expands to. @default os.homedir() */
  readonly home?: string;
}

/**
 * `config` with the flags applied, the last and strongest layer, and the flags used recorded in `source.flags`.
 *
 * @throws InvalidInputError (`config.invalid`) naming the flag with a bad value
 * @example
 * const config = applyFlags(await loadConfig(), { unleash: true, stateDir: '/tmp/run-1' });
 * config.safety.leashed; // false
 */
export function applyFlags(config: SimianConfig, flags: ConfigFlags, options: ApplyFlagsOptions = {}): SimianConfig {
  const cwd = options.cwd ?? process.cwd();
  const overrides: Record<string, string | boolean> = {};
  const used: string[] = [];
  for (const spec of [UNLEASH_FLAG, ...CONFIG_FLAGS]) {
    const value = flags[spec.option];
    if (value === undefined || value === false) continue;
    const name = spec.flag.split(' ')[0] ?? spec.flag;
    overrides[spec.override] = readFlag(spec, name, value, cwd, options.home);
    used.push(name);
  }
  if (used.length === 0) return config;
  return {
    ...applyOverrides(config, overrides as ConfigOverrides),
    source: { ...config.source, flags: [...config.source.flags, ...used] },
  };
}

function readFlag(spec: ConfigFlag, name: string, value: string | boolean, cwd: string, home: string | undefined): string | boolean {
  const bad = (what: string) => new InvalidInputError(CONFIG_INVALID, `${name}: expected ${what}, got ${JSON.stringify(value)}`);
  if (spec.kind === 'unleash') {
    if (value !== true) throw bad('no value');
    return false; // leashed: false
  }
  if (typeof value !== 'string' || value.trim() === '') throw bad(spec.kind === 'url' ? 'an http:// or https:// URL' : 'a value');
  switch (spec.kind) {
    case 'url': {
      const url = normalizeHttpUrl(value.trim());
      if (url === undefined) throw bad('an http:// or https:// URL');
      return url;
    }
    case 'path':
      return resolveConfigPath(cwd, value.trim(), home);
    case 'region':
      if (!isRegionName(value.trim())) throw bad('a region name such as us-east-1');
      return value.trim();
    case 'string':
      return value.trim();
  }
}
