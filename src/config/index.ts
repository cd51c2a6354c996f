/**
 * @module
 * The configuration of Simian: `simian.yaml`, its defaults, and the environment and flags layered on top
 * (defaults < file < environment < flags). Reference: `docs/configuration.md`.
 *
 * @example
 * import { applyFlags, loadConfig } from './config/index.js';
 * const config = applyFlags(await loadConfig({ configPath: flags.config }), { unleash: flags.unleash });
 */
export {
  CONFIG_FILE_NAME,
  CONFIG_INVALID,
  CONFIG_NOT_FOUND,
  DEFAULT_AWS_REGION,
  DEFAULT_EXCLUDED_NAMESPACES,
  DEFAULT_FAULT_DURATION_MS,
  DEFAULT_STATE_DIR,
  DEFAULT_TOXIPROXY_URL,
  STATE_STORE_FILE,
  allConfigKeys,
  configFromFile,
  configKeysAt,
  defaultConfig,
  defaultStateStorePath,
  describeValue,
  isRegionName,
  normalizeHttpUrl,
  resolveConfigPath,
  simianConfigSchema,
  toConfigDocument,
} from './simian-config.js';
export type {
  AwsGroupBy,
  AwsProviderConfig,
  ConfigFileOrigin,
  ConfigSource,
  FaultsConfig,
  KubernetesGroupBy,
  KubernetesProviderConfig,
  ParsedConfigFile,
  ProvidersConfig,
  SimianConfig,
  ToxiproxyProviderConfig,
} from './simian-config.js';
export { CONFIG_ENV_VARS, applyEnvOverrides, applyOverrides, envOverrides } from './env-overrides.js';
export type { ConfigEnvVar, ConfigOverrides, Environment } from './env-overrides.js';
export { CONFIG_FLAGS, CONFIG_PATH_ENV_VAR, UNLEASH_FLAG, applyFlags, findConfigFile, loadConfig, configFileAt, parseConfig, readConfigFile } from './load-config.js';
export type { ApplyFlagsOptions, ConfigFileLocation, ConfigFlag, ConfigFlags, LoadConfigOptions, ParseConfigOptions } from './load-config.js';
