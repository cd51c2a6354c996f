/**
 * @module
 * Overrides on top of `simian.yaml`: a handful of settings that differ between machines or runs, taken from
 * environment variables (this file) or command-line flags (`applyFlags` in `load-config.ts`). Both become a
 * {@link ConfigOverrides} applied by {@link applyOverrides}, so they mean exactly the same thing.
 *
 * Environment values are checked as strictly as the file: a boolean is `true`, `false`, `1` or `0` and nothing
 * else (`SIMIAN_LEASHED=no` is an error, not "unleashed"), and an error names the variable. An empty variable
 * counts as unset, so `SIMIAN_LEASHED=` in a compose file changes nothing.
 */
import { InvalidInputError } from '../core/errors.js';
import { resolveSafetyConfig } from '../monkeys/safety/safety-config.js';
import { CONFIG_INVALID, defaultKillSwitchPath, defaultStateStorePath, isRegionName, normalizeHttpUrl, resolveConfigPath, type SimianConfig } from './simian-config.js';

/**
 * Values that replace what the layers below said; absent means "no change". Paths must already be absolute
 * and values checked: {@link envOverrides} and `applyFlags` do both.
 */
export interface ConfigOverrides {
  readonly enabled?: boolean;
  readonly leashed?: boolean;
  readonly environment?: string;
  readonly killSwitchFile?: string;
  /** Also moves the state store to `<stateDir>/simian.db`, unless `stateStore` is given too. */
  readonly stateDir?: string;
  readonly stateStore?: string;
  readonly toxiproxyUrl?: string;
  readonly awsRegion?: string;
  readonly kubeconfig?: string;
  readonly kubeContext?: string;
  readonly trafficShiftUrl?: string;
}

/** What an environment variable sets, and how its value is read. */
export interface ConfigEnvVar {
  readonly name: string;
  /** The setting it overrides, as written in `simian.yaml`. */
  readonly key: string;
  readonly kind: 'boolean' | 'string' | 'path' | 'url' | 'region';
  readonly override: keyof ConfigOverrides;
}

/** Every environment variable that overrides `simian.yaml`, in the order they are documented. */
export const CONFIG_ENV_VARS: readonly ConfigEnvVar[] = [
  { name: 'SIMIAN_ENABLED', key: 'enabled', kind: 'boolean', override: 'enabled' },
  { name: 'SIMIAN_LEASHED', key: 'leashed', kind: 'boolean', override: 'leashed' },
  { name: 'SIMIAN_ENVIRONMENT', key: 'environment', kind: 'string', override: 'environment' },
  { name: 'SIMIAN_KILL_SWITCH_FILE', key: 'killSwitchFile', kind: 'path', override: 'killSwitchFile' },
  { name: 'SIMIAN_STATE_DIR', key: 'stateDir', kind: 'path', override: 'stateDir' },
  { name: 'SIMIAN_TOXIPROXY_URL', key: 'providers.toxiproxy.url', kind: 'url', override: 'toxiproxyUrl' },
  { name: 'SIMIAN_AWS_REGION', key: 'providers.aws.region', kind: 'region', override: 'awsRegion' },
  { name: 'SIMIAN_KUBECONFIG', key: 'providers.kubernetes.kubeconfig', kind: 'path', override: 'kubeconfig' },
];

/** The environment, as `process.env` is typed. */
export type Environment = Readonly<Record<string, string | undefined>>;

const BOOLEANS: Readonly<Record<string, boolean>> = { true: true, false: false, 1: true, 0: false };

function invalid(message: string): InvalidInputError {
  return new InvalidInputError(CONFIG_INVALID, message);
}

/**
 * The overrides the environment asks for, and the names of the variables that set them. Relative paths
 * resolve against `cwd`.
 *
 * @throws InvalidInputError (`config.invalid`) naming the first variable with a bad value
 * @example
 * envOverrides({ SIMIAN_LEASHED: 'false' }, '/srv'); // { overrides: { leashed: false }, names: ['SIMIAN_LEASHED'] }
 */
export function envOverrides(env: Environment, cwd: string, home?: string): { overrides: ConfigOverrides; names: string[] } {
  const overrides: Record<string, string | boolean> = {};
  const names: string[] = [];
  for (const variable of CONFIG_ENV_VARS) {
    const raw = env[variable.name];
    if (raw === undefined || raw === '') continue;
    overrides[variable.override] = readValue(variable, raw, cwd, home);
    names.push(variable.name);
  }
  return { overrides: overrides as ConfigOverrides, names };
}

function readValue(variable: ConfigEnvVar, raw: string, cwd: string, home: string | undefined): string | boolean {
  const value = raw.trim();
  switch (variable.kind) {
    case 'boolean': {
      const parsed = BOOLEANS[value.toLowerCase()];
      if (parsed === undefined) throw invalid(`${variable.name}: expected true, false, 1 or 0, got ${JSON.stringify(raw)}`);
      return parsed;
    }
    case 'url': {
      const url = normalizeHttpUrl(value);
      if (url === undefined) throw invalid(`${variable.name}: expected an http:// or https:// URL, got ${JSON.stringify(raw)}`);
      return url;
    }
    case 'path':
      return resolveConfigPath(cwd, value, home);
    case 'region':
      if (!isRegionName(value)) throw invalid(`${variable.name}: expected a region name such as us-east-1, got ${JSON.stringify(raw)}`);
      return value;
    case 'string':
      if (value === '') throw invalid(`${variable.name}: expected a value, got ${JSON.stringify(raw)}`);
      return value;
  }
}

/**
 * `config` with `overrides` applied; `source` is left as it is (the caller knows what to record). A new
 * `stateDir` moves the state store with it unless `stateStore` is given too: `--state-dir /tmp/x` must not keep
 * writing to the store a file named elsewhere. The default kill-switch file moves with it too.
 */
export function applyOverrides(config: SimianConfig, overrides: ConfigOverrides): SimianConfig {
  const o = overrides;
  const { kubernetes, aws, toxiproxy } = config.providers;
  const stateDir = o.stateDir ?? config.stateDir;
  const defaultSwitch = config.safety.killSwitchFile === defaultKillSwitchPath(config.stateDir);
  const killSwitchFile = o.killSwitchFile ?? (o.stateDir !== undefined && defaultSwitch ? defaultKillSwitchPath(stateDir) : undefined);
  return {
    ...config,
    safety: resolveSafetyConfig({
      ...config.safety,
      ...(o.enabled === undefined ? {} : { enabled: o.enabled }),
      ...(o.leashed === undefined ? {} : { leashed: o.leashed }),
      ...(o.environment === undefined ? {} : { environment: o.environment }),
      ...(killSwitchFile === undefined ? {} : { killSwitchFile }),
    }),
    providers: {
      ...config.providers,
      kubernetes: {
        ...kubernetes,
        ...(o.kubeconfig === undefined ? {} : { kubeconfig: o.kubeconfig }),
        ...(o.kubeContext === undefined ? {} : { context: o.kubeContext }),
      },
      aws: { ...aws, ...(o.awsRegion === undefined ? {} : { region: o.awsRegion }) },
      toxiproxy: { ...toxiproxy, ...(o.toxiproxyUrl === undefined ? {} : { url: o.toxiproxyUrl }) },
      ...(o.trafficShiftUrl === undefined ? {} : { trafficShiftUrl: o.trafficShiftUrl }),
    },
    stateDir,
    stateStorePath: o.stateStore ?? (o.stateDir === undefined ? config.stateStorePath : defaultStateStorePath(stateDir)),
  };
}

/**
 * `config` with the environment's overrides applied, and the variables used recorded in `source.env`.
 *
 * @throws InvalidInputError (`config.invalid`) naming the variable with a bad value
 * @example
 * const config = applyEnvOverrides(await readConfigFile('simian.yaml'), process.env, process.cwd());
 */
export function applyEnvOverrides(config: SimianConfig, env: Environment, cwd: string, home?: string): SimianConfig {
  const { overrides, names } = envOverrides(env, cwd, home);
  if (names.length === 0) return config;
  return { ...applyOverrides(config, overrides), source: { ...config.source, env: [...config.source.env, ...names] } };
}
