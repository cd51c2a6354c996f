/**
 * @module
 * `simian config show` and `simian config validate`: what configuration a command would run with and where each
 * part came from, and whether a `simian.yaml` is valid before anything relies on it.
 */
import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import { InvalidInputError } from '../../core/errors.js';
import { CONFIG_ENV_VARS, type Environment } from '../../config/env-overrides.js';
import {
  CONFIG_FLAGS,
  CONFIG_PATH_ENV_VAR,
  applyFlags,
  configFileAt,
  findConfigFile,
  loadConfig,
  readConfigFile,
  type ConfigFlags,
} from '../../config/load-config.js';
import { CONFIG_FILE_NAME, CONFIG_NOT_FOUND, toConfigDocument, type SimianConfig } from '../../config/simian-config.js';
import type { CommandFactory } from '../command-deps.js';

/** The options {@link addConfigOptions} adds, as commander parses them. */
export interface ConfigOptionValues extends ConfigFlags {
  /** `--config <file>`. */
  readonly config?: string;
}

/** Where a command's configuration is read from; each defaults to the real process. */
export interface ConfigContext {
  /** @default process.env */
  readonly env?: Environment;
  /** @default process.cwd() */
  readonly cwd?: string;
  /** What `~/` expands to. @default os.homedir() */
  readonly home?: string;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The precedence, as `--help` states it. */
export const CONFIG_PRECEDENCE_HELP = [
  'Precedence, lowest to highest: built-in defaults < simian.yaml < SIMIAN_* environment variables < flags.',
  `The file is --config <file>, else $${CONFIG_PATH_ENV_VAR}, else ./${CONFIG_FILE_NAME} if there is one, else none`,
  '(defaults only: leashed, enabled, state in ./.simian). Relative paths in a file resolve against its folder.',
  'Environment variables (true/false/1/0 for booleans; empty = unset):',
  ...chunks(CONFIG_ENV_VARS.map((v) => `${v.name} (${v.key})`), 3).map((line) => `  ${line.join(', ')}`),
  'Reference: docs/configuration.md; every key with its default: simian.example.yaml.',
].join('\n');

/**
 * Adds `--config <file>` and every flag that overrides the configuration (`--unleash`, `--state-dir <dir>`, …;
 * see `CONFIG_FLAGS`) to `command`. No flag has a commander default: a default would override the file.
 *
 * @example
 * addConfigOptions(new Command('daemon')).action(async (values: ConfigOptionValues) => {
 *   const config = await resolveCommandConfig(values);
 * });
 */
export function addConfigOptions(command: Command): Command {
  command.addOption(new Option('--config <file>', `the config file (default: $${CONFIG_PATH_ENV_VAR}, else ./${CONFIG_FILE_NAME} if present)`));
  for (const spec of CONFIG_FLAGS) {
    command.addOption(new Option(spec.flag, `overrides ${spec.key}`));
  }
  return command;
}

/** The options of {@link addStateDirOptions}, as commander parses them. */
export interface StateDirOptionValues {
  readonly config?: string;
  readonly stateDir?: string;
}

/**
 * Adds `--config <file>` and `--state-dir <dir>` to a command that reads Simian's state but changes nothing (the
 * stack, history, SLO checks): it finds the same state directory as every other command (simian.yaml's
 * `stateDir`, `SIMIAN_STATE_DIR`, the flag), and takes none of the flags that loosen or act (`--unleash`).
 */
export function addStateDirOptions(command: Command, what = 'the state directory'): Command {
  return command
    .addOption(new Option('--config <file>', `the config file (default: $${CONFIG_PATH_ENV_VAR}, else ./${CONFIG_FILE_NAME} if present)`))
    .addOption(new Option('--state-dir <dir>', `${what} (default: the config's stateDir, else ./.simian)`));
}

/**
 * The configuration for a command: defaults < file < environment < the flags in `values`.
 *
 * @throws InvalidInputError `config.notFound` or `config.invalid` (exit code 2)
 */
export async function resolveCommandConfig(values: ConfigOptionValues, context: ConfigContext = {}): Promise<SimianConfig> {
  const cwd = context.cwd ?? process.cwd();
  const loaded = await loadConfig({
    cwd,
    env: context.env ?? process.env,
    ...(values.config === undefined ? {} : { configPath: values.config }),
    ...(context.home === undefined ? {} : { home: context.home }),
  });
  return applyFlags(loaded, values, { cwd, ...(context.home === undefined ? {} : { home: context.home }) });
}

/**
 * A configuration as `simian config show` prints it: where it came from as comments, then the settings in the
 * shape of `simian.yaml`, so the output is itself a valid file.
 */
export function formatConfig(config: SimianConfig): string {
  const { source } = config;
  const header = [
    '# Resolved configuration: defaults < file < environment < flags',
    `# file:        ${source.file ?? 'none (defaults only)'}`,
    `# environment: ${source.env.length > 0 ? source.env.join(', ') : 'none'}`,
    `# flags:       ${source.flags.length > 0 ? source.flags.join(', ') : 'none'}`,
    `# state store: ${config.stateStorePath}`,
  ];
  const { safety } = config;
  if (safety.environment === 'test' && !safety.leashed && !safety.allowUnleashedInTest) {
    header.push('# note: environment is "test": unleashed faults are refused unless safety.allowUnleashedInTest');
  }
  return `${header.join('\n')}\n${stringify(toConfigDocument(config))}`;
}

interface ShowValues extends ConfigOptionValues {
  json?: boolean;
}

/** Options of {@link createConfigCommand}: where the environment and working directory come from (tests). */
export interface ConfigCommandOptions {
  /** Read when a command runs. @default () => process.env */
  readonly env?: () => Environment;
  /** Read when a command runs. @default () => process.cwd() */
  readonly cwd?: () => string;
  /** What `~/` expands to. @default os.homedir() */
  readonly home?: string;
}

/** Builds the `config` command with its environment injected; {@link configCommand} uses the real process's. */
export function createConfigCommand(options: ConfigCommandOptions = {}): CommandFactory {
  const context = (): ConfigContext => ({
    env: options.env?.() ?? process.env,
    cwd: options.cwd?.() ?? process.cwd(),
    ...(options.home === undefined ? {} : { home: options.home }),
  });
  return (deps) => {
    const config = new Command('config')
      .description('Show the resolved configuration, or check a simian.yaml')
      .addHelpText('after', `\n${CONFIG_PRECEDENCE_HELP}`);

    addConfigOptions(
      config
        .command('show')
        .description('Print the configuration commands would run with, and where each part came from'),
    )
      .option('--json', 'print the resolved configuration as JSON (milliseconds, absolute paths, sources)')
      .addHelpText('after', `\n${CONFIG_PRECEDENCE_HELP}`)
      .action(async (values: ShowValues) => {
        const resolved = await resolveCommandConfig(values, context());
        deps.writeOut(values.json ? `${JSON.stringify(resolved, null, 2)}\n` : formatConfig(resolved));
      });

    config
      .command('validate')
      .description(`Check a config file (default: $${CONFIG_PATH_ENV_VAR}, else ./${CONFIG_FILE_NAME}); exit 2 if it is not valid`)
      .argument('[file]', 'the file to check')
      .addHelpText('after', '\nPrints "<file>: ok", or every problem as <file>:<line>: <field>: <message>. Environment overrides are not checked.')
      .action(async (file: string | undefined) => {
        const { env, cwd, home } = context();
        const location =
          file === undefined ? findConfigFile({ env: env ?? process.env, cwd: cwd ?? process.cwd() }) : configFileAt(cwd ?? process.cwd(), file, 'argument', home);
        if (location === undefined) {
          throw new InvalidInputError(
            CONFIG_NOT_FOUND,
            `no config file to validate: name one, set ${CONFIG_PATH_ENV_VAR}, or create ./${CONFIG_FILE_NAME}`,
          );
        }
        await readConfigFile(location, home);
        deps.writeOut(`${location.label}: ok\n`);
      });

    return config;
  };
}

/** The `config` command. */
export const configCommand: CommandFactory = createConfigCommand();
